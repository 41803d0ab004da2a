#pragma once

#include <Poco/Process.h>
#include <Poco/Timespan.h>
#include <Poco/Types.h>

#include <memory>
#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// A message as the mail server accepted it.
struct MailMessage
{
	std::string file;                ///< the .eml file
	std::string content;             ///< the bytes after DATA, dot-unstuffed
	std::string mailFrom;
	std::vector<std::string> rcptTos;
	bool tls = false;                ///< received over TLS (after STARTTLS)
	std::string authMechanism;       ///< PLAIN, LOGIN, or empty when not authenticated
	int connection = 0;              ///< the 1-based number of the connection it came on
};

/// One command as the mail server received it.
struct MailCommand
{
	int connection = 0;              ///< 1-based, counted across restarts
	std::string verb;                ///< EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, QUIT, ...
};

/// A real SMTP server for the e2e tests: Debian's aiosmtpd, run by
/// tests/e2e/mail_server.py (/usr/bin/python3) on 127.0.0.1. Its state
/// (connections, commands, messages) lives in a temporary directory and is
/// kept across stop() and start(), so a test can take the server away and
/// bring it back on the same port.
///
///     MailServer mail;                 // plain SMTP, accepts everything
///     mail.start();                    // waits until it listens
///     mail.reply("RCPT", "550 5.1.1 no such user");
///     mail.waitForMessages(1, Poco::Timespan(20, 0));
class MailServer
{
public:
	struct Options
	{
		std::string starttlsCertificate;  ///< PEM file: offer STARTTLS with it (and starttlsKey)
		std::string starttlsKey;
		std::string username;             ///< when set, AUTH (PLAIN, LOGIN) is required before MAIL,
		std::string password;             ///< after STARTTLS when STARTTLS is offered
		Poco::Timespan dataDelay;         ///< the reply after the data comes this much later (a slow server)
	};

	explicit MailServer(const Options& options = Options());
		/// Creates the state directory. Does not start.
	~MailServer();
		/// Kills the server; removes the directory (kept when HOOKGATE_E2E_KEEP is set).

	MailServer(const MailServer&) = delete;
	MailServer& operator=(const MailServer&) = delete;

	void start(Poco::UInt16 port = 0, const Poco::Timespan& deadline = Poco::Timespan(10, 0));
		/// Listens on 127.0.0.1:port (0: a free one) and waits until it accepts
		/// connections. Throws (with the server's log) when it does not.
	void stop();
		/// Kills the server (SIGKILL: the port and open connections close at once) and reaps it.
	bool running() const;

	Poco::UInt16 port() const;
		/// The port of the last start().

	void reply(const std::string& command, const std::string& reply, int times = -1);
		/// From now on the next `times` MAIL, RCPT or DATA commands (-1: all of them)
		/// are answered with reply (e.g. "451 4.3.0 try again later") instead of
		/// being accepted; DATA: the reply after the data. Replaces an earlier script.
	void clearReplies(const std::string& command);
		/// Normal behaviour for command again.

	int connections() const;
		/// Connections accepted so far (all runs).
	std::vector<MailCommand> commands() const;
		/// Every command received so far, in order.
	std::size_t countCommands(const std::string& verb) const;
	std::vector<MailMessage> messages() const;
		/// The messages accepted so far, in order.
	std::size_t messageCount() const;
	bool waitForMessages(std::size_t count, const Poco::Timespan& deadline) const;
		/// True as soon as at least count messages have been accepted.

	std::string directory() const;
	std::string log() const;
		/// What the server wrote to stderr (aiosmtpd's log), for failure messages.

	static std::string script();
		/// tests/e2e/mail_server.py

private:
	std::string path(const std::string& name) const;

	Options _options;
	std::string _directory;
	std::unique_ptr<Poco::ProcessHandle> _process;
	Poco::UInt16 _port = 0;
};

} } // namespace Hookgate::Test

#pragma once

#include <Poco/Process.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Timespan.h>
#include <Poco/Types.h>

#include <memory>
#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// A message as the SMTP test server received it.
struct SMTPReceivedMessage
{
	std::string file;                  ///< the .eml file
	std::string content;               ///< the bytes after DATA, dot-unstuffed
	std::string mailFrom;
	std::vector<std::string> mailOptions;  ///< e.g. SIZE=1234
	std::vector<std::string> rcptTos;
	bool tls = false;                  ///< received over TLS (STARTTLS or implicit)
	std::string authMechanism;         ///< PLAIN, LOGIN, or empty when not authenticated
};

/// A real SMTP server: Debian's aiosmtpd run by tests/unit/smtp_server.py
/// (/usr/bin/python3) on 127.0.0.1 and a free port, with its state kept in a
/// temporary directory. Every wait has a deadline.
class SMTPTestServer
{
public:
	struct Options
	{
		std::string starttlsCertificate;  ///< HTTPTestCertificates name: offer STARTTLS with it
		std::string implicitCertificate;  ///< HTTPTestCertificates name: TLS from the first byte
		std::string username;             ///< when set, AUTH (PLAIN, LOGIN) is required before MAIL
		std::string password;
		bool authWithoutTLS = false;      ///< offer AUTH on a plain connection too
		std::vector<std::string> authExclude;  ///< mechanisms not offered, e.g. {"PLAIN"}
	};

	explicit SMTPTestServer(const Options& options);
	SMTPTestServer();
		/// Starts the server and waits (5 s deadline) until it listens.
		/// Throws Poco::TimeoutException or Poco::RuntimeException if it does not.

	~SMTPTestServer();  ///< stops the server

	Poco::UInt16 port() const;

	void stop();
		/// Terminates the server and waits for it to exit; the port is closed after.

	void script(const std::string& command, const std::string& reply);
		/// From now on, answers command (MAIL, RCPT or DATA) with reply, e.g.
		/// "550 5.1.1 no such user"; an empty reply restores normal behaviour.

	int connections() const;
		/// The number of connections accepted so far.

	std::vector<SMTPReceivedMessage> messages() const;
		/// The messages received so far, in order.

	bool waitForMessages(std::size_t count, Poco::Timespan deadline) const;
		/// Returns true as soon as at least count messages have been received.

private:
	std::string path(const std::string& name) const;

	Poco::TemporaryFile _directory;
	std::unique_ptr<Poco::ProcessHandle> _process;
	Poco::UInt16 _port = 0;
};

} // namespace Test
} // namespace Hookgate

#pragma once

#include "transports/GuardedTransport.h"
#include "transports/TLSClientContext.h"

#include <Poco/Timespan.h>
#include <Poco/Types.h>

#include <cstddef>
#include <memory>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace Hookgate {

/// Delivers a payload by email to an SMTP server: one message (see EmailMessage)
/// from options.from to request.target, the payload attached as a JSON file.
///
/// - The dialogue: greeting 220, EHLO, [STARTTLS, EHLO], [AUTH], MAIL FROM
///   (with SIZE= when the server announces SIZE), RCPT TO, DATA. The server's
///   250 after the data is Succeeded, responseCode 250.
/// - tls: "none"; "starttls": STARTTLS is required, and when the server does
///   not offer it (or refuses it) the attempt fails at the STARTTLS stage before
///   anything is sent; "implicit": TLS from the first byte (port 465).
///   The server certificate's chain and host name (options.host) are verified
///   against the CA file; a failure is rejected, never prompted.
/// - AUTH when options.username is set: PLAIN when offered, else LOGIN.
/// - Outcomes: a 4xx reply is Transient, a 5xx reply Permanent, both with the
///   reply code; network errors, timeouts (request.timeout for connect and each
///   reply), TLS failures and a missing STARTTLS/AUTH offer are Transient with
///   responseCode 0; an invalid message (address, header) is Permanent.
///   error is "SMTP <stage> failed: <reason>", stage one of connect, EHLO,
///   STARTTLS, AUTH, MAIL FROM, RCPT TO, DATA; for a reply the reason is
///   "<code> <text>", e.g. "SMTP RCPT TO failed: 550 5.1.1 no such user".
///   responseBody is the deciding reply (at most maxResponseBody bytes).
/// - Sessions are kept open and reused for the next message (up to maxIdle):
///   a kept session is checked before reuse (closed or readable -> dropped)
///   and reset with RSET; when RSET fails it is replaced by a new connection.
/// deliver() is thread-safe and never throws.
class SMTPTransport: public GuardedTransport
{
public:
	struct Options
	{
		std::string host = "localhost";
		Poco::UInt16 port = 25;
		std::string tls = "starttls";       ///< none | starttls | implicit
		std::string username;               ///< AUTH when not empty
		std::string password;
		std::string from = "hookgate@localhost";  ///< "address" or "Display Name <address>"
		std::string caFile;                 ///< PEM CA bundle; empty = DEFAULT_CA_FILE
		std::string heloName;               ///< empty = this host's name, or "hookgate"
		std::size_t maxIdle = 4;            ///< open sessions kept between messages; 0 = a connection per message
		Poco::Timespan idleTimeout = Poco::Timespan(60, 0);  ///< kept sessions idle longer than this are closed, not reused
		std::size_t maxResponseBody = 4096;
	};

	explicit SMTPTransport(const Options& options);
		/// Throws Poco::InvalidArgumentException for an invalid tls mode, from
		/// address or HELO name; for tls other than none, initializes NetSSL and
		/// throws Poco::FileNotFoundException if the CA file does not exist,
		/// Poco::Net::SSLContextException if it cannot be loaded.

	~SMTPTransport() override;
		/// Ends the kept sessions with QUIT.

	std::size_t idleSessions() const;
		/// The number of open sessions currently kept for reuse.

	void abortAll() override;
		/// Shuts down the socket of every mail transaction in flight (see Transport::abortAll()); a
		/// session still connecting or in STARTTLS is not tracked and ends at its timeout.

	const Options& options() const;

	static const std::string DEFAULT_CA_FILE;  ///< /etc/ssl/certs/ca-certificates.crt

private:
	struct Session;
	struct Reply;

	enum class Result
	{
		Keep,     ///< the session is healthy: keep it for the next message
		Drop,     ///< close the session
		Stale     ///< a reused session turned out closed before anything was accepted: retry on a new one
	};

	void deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome) override;
	std::unique_ptr<Session> openSession(Poco::Timespan timeout, DeliveryOutcome& outcome);
	bool establish(Session& session, DeliveryOutcome& outcome);
	bool ehlo(Session& session, DeliveryOutcome& outcome);
	bool authenticate(Session& session, DeliveryOutcome& outcome);
	Result transaction(Session& session, bool reused, const std::string& sender, const std::string& recipient, const std::string& data, std::size_t size, DeliveryOutcome& outcome);
	std::unique_ptr<Session> takeIdle(Poco::Timespan timeout);
	void giveBack(std::unique_ptr<Session> session);
	void fail(const std::string& stage, const Reply& reply, DeliveryOutcome& outcome) const;
	void fail(const std::string& stage, const Session& session, const Poco::Exception& exc, DeliveryOutcome& outcome) const;

	Options _options;
	std::string _heloName;
	std::unique_ptr<TLSClientContext> _pTLSContext;
	mutable std::mutex _mutex;
	std::vector<std::unique_ptr<Session>> _idle;
	std::atomic<bool> _aborted{false};  ///< set by abortAll(): no new connection after it
	std::set<Session*> _inFlight;  ///< sessions in a mail transaction now (see abortAll())
};

inline const SMTPTransport::Options& SMTPTransport::options() const
{
	return _options;
}

} // namespace Hookgate

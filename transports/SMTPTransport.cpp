#include "transports/SMTPTransport.h"

#include "transports/DestinationPolicy.h"
#include "transports/EmailMessage.h"
#include "transports/TLSClientContext.h"

#include <Poco/Ascii.h>
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketDefs.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberFormatter.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <sstream>

namespace Hookgate {

namespace {

template <class E>
bool is(const Poco::Exception& exc)
{
	return dynamic_cast<const E*>(&exc) != nullptr;
}

std::string base64(const std::string& data)
{
	std::ostringstream ostr;
	Poco::Base64Encoder encoder(ostr);
	encoder.rdbuf()->setLineLength(0);
	encoder << data;
	encoder.close();
	return ostr.str();
}

std::string base64Decode(const std::string& text)
{
	try
	{
		std::istringstream istr(text);
		Poco::Base64Decoder decoder(istr);
		std::string result;
		Poco::StreamCopier::copyToString(decoder, result);
		return result;
	}
	catch (Poco::Exception&)
	{
		return std::string();
	}
}

/// The DATA section for a message with CRLF line endings: dot-stuffed, terminated by CRLF.CRLF.
std::string dotStuff(const std::string& message)
{
	std::string result;
	result.reserve(message.size() + 64);
	bool lineStart = true;
	for (std::size_t i = 0; i < message.size(); ++i)
	{
		if (lineStart && message[i] == '.')
			result += '.';
		result += message[i];
		lineStart = message[i] == '\n';
	}
	if (!result.empty() && !lineStart)
		result += "\r\n";
	result += ".\r\n";
	return result;
}

bool isHeloName(const std::string& name)
{
	if (name.empty() || name.size() > 255)
		return false;
	if (name.front() == '[' && name.back() == ']')
		return std::all_of(name.begin() + 1, name.end() - 1, [](char c) { return Poco::Ascii::isHexDigit(c) || c == '.' || c == ':' || Poco::Ascii::isAlpha(c); });
	if (name.front() == '.' || name.back() == '.' || name.front() == '-' || name.find("..") != std::string::npos)
		return false;
	return std::all_of(name.begin(), name.end(), [](char c) { return Poco::Ascii::isAlphaNumeric(c) || c == '-' || c == '.'; });
}

} // namespace

/// One reply: its code and its lines as received (without CRLF).
struct SMTPTransport::Reply
{
	int code = 0;
	std::vector<std::string> lines;

	/// The text of all lines after the code, joined by spaces.
	std::string text() const
	{
		std::string result;
		for (const std::string& line: lines)
		{
			const std::string part = Poco::trim(line.size() > 4 ? line.substr(4) : std::string());
			if (part.empty())
				continue;
			if (!result.empty())
				result += ' ';
			result += part;
		}
		return result;
	}

	/// The reply as received, lines joined by LF.
	std::string raw() const
	{
		return Poco::cat(std::string("\n"), lines.begin(), lines.end());
	}
};

/// An open connection to the server, with the state of its dialogue.
struct SMTPTransport::Session
{
	Poco::Net::StreamSocket socket;  ///< a SecureStreamSocket after STARTTLS or with implicit TLS
	std::string peer;                ///< "host (address:port)", for messages
	std::string inbox;               ///< received bytes not read yet
	std::vector<std::string> extensions;  ///< the EHLO reply lines after the first, without the code
	std::string ehloReply;
	Poco::Timespan timeout;
	Poco::Timestamp idleSince;
	bool secure = false;

	~Session()
	{
		try
		{
			socket.close();
		}
		catch (...)
		{
		}
	}

	void setTimeout(Poco::Timespan value)
	{
		timeout = value;
		socket.setReceiveTimeout(value);
		socket.setSendTimeout(value);
	}

	void send(const std::string& bytes)
	{
		std::size_t sent = 0;
		while (sent < bytes.size())
		{
			const int chunk = static_cast<int>(std::min<std::size_t>(bytes.size() - sent, 64 * 1024));
			const int n = socket.sendBytes(bytes.data() + sent, chunk);
			if (n <= 0)
				throw Poco::Net::SMTPException("connection closed by " + peer);
			sent += static_cast<std::size_t>(n);
		}
	}

	void command(const std::string& line)
	{
		send(line + "\r\n");
	}

	/// Reads one line (without CRLF); returns false when the server closed the connection before it.
	bool readLine(std::string& line)
	{
		static const std::size_t MAX_LINE = 4096;
		for (;;)
		{
			const std::size_t eol = inbox.find('\n');
			if (eol != std::string::npos)
			{
				line = inbox.substr(0, eol);
				inbox.erase(0, eol + 1);
				if (!line.empty() && line.back() == '\r')
					line.pop_back();
				return true;
			}
			if (inbox.size() > MAX_LINE)
				throw Poco::Net::SMTPException("invalid reply from " + peer + ": a line longer than 4096 bytes");
			char buffer[4096];
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0)
			{
				if (!inbox.empty())
					throw Poco::Net::SMTPException("connection closed by " + peer + " in the middle of a reply");
				return false;
			}
			inbox.append(buffer, static_cast<std::size_t>(n));
		}
	}

	Reply readReply()
	{
		static const std::size_t MAX_LINES = 1000;
		Reply reply;
		for (;;)
		{
			std::string line;
			if (!readLine(line))
			{
				throw Poco::Net::SMTPException(reply.lines.empty()
					? "connection closed by " + peer
					: "connection closed by " + peer + " in the middle of a reply");
			}
			const bool valid = line.size() >= 3
				&& line[0] >= '2' && line[0] <= '5' && Poco::Ascii::isDigit(line[1]) && Poco::Ascii::isDigit(line[2])
				&& (line.size() == 3 || line[3] == ' ' || line[3] == '-');
			if (!valid)
				throw Poco::Net::SMTPException("invalid reply from " + peer + ": \"" + line.substr(0, 200) + "\"");
			const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
			if (!reply.lines.empty() && code != reply.code)
				throw Poco::Net::SMTPException("invalid reply from " + peer + ": lines with codes " + Poco::NumberFormatter::format(reply.code) + " and " + Poco::NumberFormatter::format(code));
			reply.code = code;
			reply.lines.push_back(line);
			if (line.size() == 3 || line[3] == ' ')
				return reply;
			if (reply.lines.size() >= MAX_LINES)
				throw Poco::Net::SMTPException("invalid reply from " + peer + ": more than 1000 lines");
		}
	}

	/// True if the EHLO reply announced keyword; params receives the rest of its line.
	bool offers(const std::string& keyword, std::string* params = nullptr) const
	{
		for (const std::string& extension: extensions)
		{
			const std::size_t end = extension.find_first_of(" =");
			if (Poco::icompare(extension.substr(0, end), keyword) == 0)
			{
				if (params)
					*params = end == std::string::npos ? std::string() : Poco::trim(extension.substr(end + 1));
				return true;
			}
		}
		return false;
	}

	/// Ends the session politely; errors are ignored.
	void quit()
	{
		try
		{
			const Poco::Timespan shortTimeout(1, 0);
			setTimeout(timeout.totalMicroseconds() > 0 && timeout < shortTimeout ? timeout : shortTimeout);
			command("QUIT");
			readReply();
		}
		catch (...)
		{
		}
	}
};

const std::string SMTPTransport::DEFAULT_CA_FILE("/etc/ssl/certs/ca-certificates.crt");

SMTPTransport::SMTPTransport(const Options& options):
	_options(options)
{
	if (_options.tls != "none" && _options.tls != "starttls" && _options.tls != "implicit")
		throw Poco::InvalidArgumentException("SMTP TLS mode must be none, starttls or implicit", _options.tls);
	const std::string senderError = EmailMessage::checkSender(_options.from);
	if (!senderError.empty())
		throw Poco::InvalidArgumentException("invalid SMTP sender address \"" + _options.from + "\": " + senderError);
	if (_options.host.empty())
		throw Poco::InvalidArgumentException("SMTP host must not be empty");
	if (_options.port == 0)
		throw Poco::InvalidArgumentException("SMTP port must not be 0");
	if (_options.username.find_first_of(std::string("\r\n\0", 3)) != std::string::npos || _options.password.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
		throw Poco::InvalidArgumentException("SMTP username and password must not contain CR, LF or NUL");

	_heloName = _options.heloName;
	if (_heloName.empty())
	{
		try
		{
			_heloName = Poco::Environment::nodeName();
		}
		catch (Poco::Exception&)
		{
		}
		if (!isHeloName(_heloName))
			_heloName = "hookgate";
	}
	else if (!isHeloName(_heloName))
		throw Poco::InvalidArgumentException("invalid SMTP HELO name (a domain name or an address literal is expected)", _heloName);

	if (_options.tls != "none")
	{
		_pTLSContext = std::make_unique<TLSClientContext>(_options.caFile.empty() ? DEFAULT_CA_FILE : _options.caFile, "CA file for the SMTP server not found");
	}
}

SMTPTransport::~SMTPTransport()
{
	std::vector<std::unique_ptr<Session>> idle;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		idle.swap(_idle);
	}
	for (auto& session: idle)
		session->quit();
	idle.clear();
	_pTLSContext.reset();
}

std::size_t SMTPTransport::idleSessions() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _idle.size();
}

void SMTPTransport::abortAll()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_aborted = true;
	for (Session* session : _inFlight)
	{
		// The descriptor only (see HTTPTransport::abortAll()): a TLS socket's shutdown() would
		// write to the TLS session its worker is using.
		const poco_socket_t fd = session->socket.impl()->sockfd();
		if (fd != POCO_INVALID_SOCKET) ::shutdown(fd, 2);  // SHUT_RDWR, SD_BOTH
	}
}

void SMTPTransport::deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome)
{
	const std::unique_ptr<EmailMessage> message = EmailMessage::create(_options.from, request, outcome);
	if (!message)
		return;
	const std::string data = dotStuff(message->bytes());
	const Poco::Timespan timeout = request.timeout.totalMicroseconds() > 0 ? request.timeout : Poco::Timespan(15, 0);

	bool retried = false;
	for (;;)
	{
		if (_aborted)
		{
			// abortAll() ended the attempt: no second try on a new connection.
			outcome = DeliveryOutcome();
			outcome.kind = DeliveryOutcome::Kind::Transient;
			outcome.error = "aborted: the gateway is stopping";
			return;
		}
		outcome = DeliveryOutcome();
		std::unique_ptr<Session> session;
		if (!retried)
			session = takeIdle(timeout);
		const bool reused = session != nullptr;
		if (!session)
		{
			session = openSession(timeout, outcome);
			if (!session)
				return;
		}
		Result result;
		{
			// Known to abortAll() while it runs (after STARTTLS: the socket no longer changes).
			struct InFlight
			{
				SMTPTransport& transport;
				Session* session;
				InFlight(SMTPTransport& t, Session* s): transport(t), session(s)
				{
					std::lock_guard<std::mutex> lock(transport._mutex);
					transport._inFlight.insert(session);
				}
				~InFlight()
				{
					std::lock_guard<std::mutex> lock(transport._mutex);
					transport._inFlight.erase(session);
				}
			} inFlight(*this, session.get());
			result = transaction(*session, reused, message->senderAddress(), message->recipientAddress(), data, message->bytes().size(), outcome);
		}
		if (result == Result::Stale && !retried)
		{
			retried = true;
			continue;
		}
		if (result == Result::Keep)
			giveBack(std::move(session));
		return;
	}
}

std::unique_ptr<SMTPTransport::Session> SMTPTransport::openSession(Poco::Timespan timeout, DeliveryOutcome& outcome)
{
	const std::string& host = _options.host;
	outcome.kind = DeliveryOutcome::Kind::Transient;
	std::vector<Poco::Net::IPAddress> addresses;
	try
	{
		addresses = DestinationPolicy::resolve(host);
	}
	catch (Poco::Exception& exc)
	{
		outcome.error = "SMTP connect failed: " + DestinationPolicy::resolveError(host, exc);
		return nullptr;
	}
	// IPv4 first, as Poco's SocketAddress does; then IPv6.
	std::stable_partition(addresses.begin(), addresses.end(), [](const Poco::Net::IPAddress& a) { return a.family() == Poco::Net::IPAddress::IPv4; });

	for (std::size_t i = 0; i < addresses.size(); ++i)
	{
		auto session = std::make_unique<Session>();
		const Poco::Net::SocketAddress address(addresses[i], _options.port);
		session->peer = host == addresses[i].toString() ? address.toString() : host + " (" + address.toString() + ")";
		session->timeout = timeout;
		TLSClientContext::clearVerifyError();
		try
		{
			if (_options.tls == "implicit")
			{
				Poco::Net::SecureStreamSocket socket(_pTLSContext->context());
				socket.setPeerHostName(host);  // SNI and the certificate's host name check
				socket.connect(address, timeout);
				session->socket = socket;
				session->secure = true;
			}
			else
			{
				session->socket.connect(address, timeout);
			}
		}
		catch (Poco::Exception& exc)
		{
			fail("connect", *session, exc, outcome);
			const bool another = i + 1 < addresses.size() && !is<Poco::TimeoutException>(exc) && !is<Poco::Net::SSLException>(exc);
			if (another)
				continue;
			return nullptr;
		}
		if (!establish(*session, outcome))
			return nullptr;
		return session;
	}
	return nullptr;
}

bool SMTPTransport::establish(Session& session, DeliveryOutcome& outcome)
{
	std::string stage = "connect";
	try
	{
		session.setTimeout(session.timeout);
		Reply reply = session.readReply();
		if (reply.code != 220)
		{
			fail(stage, reply, outcome);
			return false;
		}

		stage = "EHLO";
		if (!ehlo(session, outcome))
			return false;

		if (_options.tls == "starttls")
		{
			stage = "STARTTLS";
			if (!session.offers("STARTTLS"))
			{
				outcome.kind = DeliveryOutcome::Kind::Transient;
				outcome.responseCode = 0;
				outcome.error = "SMTP STARTTLS failed: " + session.peer + " does not offer STARTTLS, which is required; nothing was sent";
				outcome.responseBody = session.ehloReply.substr(0, _options.maxResponseBody);
				session.quit();
				return false;
			}
			session.command("STARTTLS");
			reply = session.readReply();
			if (reply.code != 220)
			{
				fail(stage, reply, outcome);
				return false;
			}
			if (!session.inbox.empty())
				throw Poco::Net::SMTPException("unexpected data from " + session.peer + " after its STARTTLS reply");
			TLSClientContext::clearVerifyError();
			Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(session.socket, _options.host, _pTLSContext->context());
			secure.completeHandshake();
			session.socket = secure;
			session.secure = true;
			session.setTimeout(session.timeout);

			stage = "EHLO";
			if (!ehlo(session, outcome))
				return false;
		}

		if (!_options.username.empty())
		{
			stage = "AUTH";
			if (!authenticate(session, outcome))
				return false;
		}
		return true;
	}
	catch (Poco::Exception& exc)
	{
		fail(stage, session, exc, outcome);
		return false;
	}
}

bool SMTPTransport::ehlo(Session& session, DeliveryOutcome& outcome)
{
	session.command("EHLO " + _heloName);
	const Reply reply = session.readReply();
	if (reply.code != 250)
	{
		fail("EHLO", reply, outcome);
		return false;
	}
	session.extensions.clear();
	for (std::size_t i = 1; i < reply.lines.size(); ++i)
		session.extensions.push_back(Poco::trim(reply.lines[i].size() > 4 ? reply.lines[i].substr(4) : std::string()));
	session.ehloReply = reply.raw();
	return true;
}

bool SMTPTransport::authenticate(Session& session, DeliveryOutcome& outcome)
{
	std::string mechanisms;
	if (!session.offers("AUTH", &mechanisms))
	{
		outcome.kind = DeliveryOutcome::Kind::Transient;
		outcome.responseCode = 0;
		outcome.error = "SMTP AUTH failed: " + session.peer + " does not offer AUTH"
			+ (session.secure ? std::string() : std::string(" (without TLS; many servers offer it only after STARTTLS)"));
		outcome.responseBody = session.ehloReply.substr(0, _options.maxResponseBody);
		return false;
	}
	bool plain = false;
	bool login = false;
	{
		std::istringstream istr(Poco::toUpper(mechanisms));
		std::string mechanism;
		while (istr >> mechanism)
		{
			plain = plain || mechanism == "PLAIN";
			login = login || mechanism == "LOGIN";
		}
	}

	if (plain)
	{
		// RFC 4616: authzid NUL authcid NUL passwd, the authorization identity empty.
		session.command("AUTH PLAIN " + base64(std::string(1, '\0') + _options.username + std::string(1, '\0') + _options.password));
		const Reply reply = session.readReply();
		if (reply.code != 235)
		{
			fail("AUTH", reply, outcome);
			return false;
		}
		return true;
	}
	if (login)
	{
		// The prompts are base64 texts that differ between servers ("Username:",
		// "User Name\0", ...): answer the first with the user name, the second with the
		// password, unless the first asks for the password.
		session.command("AUTH LOGIN");
		Reply reply = session.readReply();
		if (reply.code != 334)
		{
			fail("AUTH", reply, outcome);
			return false;
		}
		const std::string prompt = Poco::toLower(base64Decode(reply.lines.front().size() > 4 ? reply.lines.front().substr(4) : std::string()));
		const bool passwordFirst = prompt.compare(0, 4, "pass") == 0;
		session.command(base64(passwordFirst ? _options.password : _options.username));
		reply = session.readReply();
		if (reply.code != 334)
		{
			fail("AUTH", reply, outcome);
			return false;
		}
		session.command(base64(passwordFirst ? _options.username : _options.password));
		reply = session.readReply();
		if (reply.code != 235)
		{
			fail("AUTH", reply, outcome);
			return false;
		}
		return true;
	}
	outcome.kind = DeliveryOutcome::Kind::Transient;
	outcome.responseCode = 0;
	outcome.error = "SMTP AUTH failed: " + session.peer + " offers neither AUTH PLAIN nor LOGIN (it offers " + mechanisms + ")";
	outcome.responseBody = session.ehloReply.substr(0, _options.maxResponseBody);
	return false;
}

SMTPTransport::Result SMTPTransport::transaction(Session& session, bool reused, const std::string& sender, const std::string& recipient, const std::string& data, std::size_t size, DeliveryOutcome& outcome)
{
	// After a 4xx/5xx reply the session stays usable (RSET before the next message),
	// unless the server announced it is closing (421) or answered out of turn.
	const auto afterFailure = [](const Reply& reply) {
		return reply.code >= 400 && reply.code != 421 ? Result::Keep : Result::Drop;
	};
	std::string stage = "MAIL FROM";
	try
	{
		std::string mail = "MAIL FROM:<" + sender + ">";
		if (session.offers("SIZE"))
			mail += " SIZE=" + Poco::NumberFormatter::format(size);
		session.command(mail);
		Reply reply = session.readReply();
		if (reply.code != 250)
		{
			fail(stage, reply, outcome);
			return afterFailure(reply);
		}

		stage = "RCPT TO";
		session.command("RCPT TO:<" + recipient + ">");
		reply = session.readReply();
		if (reply.code != 250 && reply.code != 251)
		{
			fail(stage, reply, outcome);
			return afterFailure(reply);
		}

		stage = "DATA";
		session.command("DATA");
		reply = session.readReply();
		if (reply.code != 354)
		{
			fail(stage, reply, outcome);
			return afterFailure(reply);
		}
		session.send(data);
		reply = session.readReply();
		if (reply.code != 250)
		{
			fail(stage, reply, outcome);
			return afterFailure(reply);
		}
		outcome.kind = DeliveryOutcome::Kind::Succeeded;
		outcome.responseCode = reply.code;
		outcome.error.clear();
		outcome.responseBody = reply.raw().substr(0, _options.maxResponseBody);
		return Result::Keep;
	}
	catch (Poco::Exception& exc)
	{
		fail(stage, session, exc, outcome);
		// A kept session that answered RSET but is gone at MAIL FROM: nothing was accepted yet.
		if (reused && stage == "MAIL FROM" && !is<Poco::TimeoutException>(exc))
			return Result::Stale;
		return Result::Drop;
	}
}

std::unique_ptr<SMTPTransport::Session> SMTPTransport::takeIdle(Poco::Timespan timeout)
{
	for (;;)
	{
		std::unique_ptr<Session> session;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_idle.empty())
				return nullptr;
			session = std::move(_idle.back());  // most recently used first
			_idle.pop_back();
		}
		// Closed (and destroyed) outside the lock when not usable.
		if (session->idleSince.elapsed() >= _options.idleTimeout.totalMicroseconds())
		{
			session->quit();
			continue;
		}
		try
		{
			// Readable while idle means the server closed it or said goodbye (421).
			if (!session->inbox.empty() || session->socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR))
				continue;
			session->setTimeout(timeout);
			session->command("RSET");
			if (session->readReply().code == 250)
				return session;
		}
		catch (Poco::Exception&)
		{
		}
	}
}

void SMTPTransport::giveBack(std::unique_ptr<Session> session)
{
	session->idleSince.update();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_idle.size() < _options.maxIdle)
		{
			_idle.push_back(std::move(session));
			return;
		}
	}
	session->quit();
}

void SMTPTransport::fail(const std::string& stage, const Reply& reply, DeliveryOutcome& outcome) const
{
	outcome.kind = reply.code >= 500 && reply.code < 600 ? DeliveryOutcome::Kind::Permanent : DeliveryOutcome::Kind::Transient;
	outcome.responseCode = reply.code;
	const std::string text = reply.text();
	outcome.error = "SMTP " + stage + " failed: " + Poco::NumberFormatter::format(reply.code) + (text.empty() ? std::string() : " " + text);
	outcome.responseBody = reply.raw().substr(0, _options.maxResponseBody);
}

void SMTPTransport::fail(const std::string& stage, const Session& session, const Poco::Exception& e, DeliveryOutcome& outcome) const
{
	outcome.kind = DeliveryOutcome::Kind::Transient;
	outcome.responseCode = 0;
	outcome.responseBody.clear();
	std::string reason;
	if (is<Poco::TimeoutException>(e))
		reason = "timeout after " + Poco::NumberFormatter::format(session.timeout.totalMilliseconds()) + " ms waiting for " + session.peer;
	else if (is<Poco::Net::CertificateValidationException>(e) || is<Poco::Net::InvalidCertificateException>(e))
		reason = "TLS certificate verification failed for " + _options.host + ": the certificate is not valid for this host name";
	else if (is<Poco::Net::SSLException>(e) && !TLSClientContext::verifyError().empty())
		reason = "TLS certificate verification failed for " + _options.host + ": " + TLSClientContext::verifyError();
	else if (is<Poco::Net::SSLException>(e))
		reason = "TLS error with " + session.peer + ": " + e.displayText();
	else if (is<Poco::Net::ConnectionRefusedException>(e))
		reason = "connection refused by " + session.peer;
	else if (is<Poco::Net::ConnectionResetException>(e))
		reason = "connection reset by " + session.peer;
	else if (is<Poco::Net::SMTPException>(e))
		reason = e.message();
	else
		reason = "network error with " + session.peer + ": " + e.displayText();
	outcome.error = "SMTP " + stage + " failed: " + reason;
}

} // namespace Hookgate

#include "transports/HTTPTransport.h"

#include "transports/DestinationPolicy.h"
#include "transports/HTTPHeader.h"
#include "transports/HTTPTarget.h"
#include "transports/TLSClientContext.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketDefs.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <algorithm>
#include <istream>
#include <ostream>
#include <typeinfo>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <poll.h>
#endif

namespace Hookgate {

namespace {

/// Nothing to read and no error on an idle connection (readable while idle means the server
/// closed it, or sent something unasked). One poll(2): Poco 1.11's Socket::poll makes and
/// closes an epoll set on every call, four system calls per reused connection.
bool quiet(const Poco::Net::StreamSocket& socket)
{
#ifdef _WIN32
	WSAPOLLFD p{};
	p.fd = socket.impl()->sockfd();
	p.events = POLLRDNORM;
	return WSAPoll(&p, 1, 0) == 0;
#else
	pollfd p{socket.impl()->sockfd(), POLLIN | POLLPRI, 0};
	return ::poll(&p, 1, 0) == 0;
#endif
}

/// Returns an error text for a header that must not be sent, or an empty string.
std::string checkHeader(const std::string& name, const std::string& value)
{
	if (const std::string why = HTTPHeader::checkName(name); !why.empty())
		return "invalid header: " + why;
	if (const std::string why = HTTPHeader::checkValue(value); !why.empty())
		return "invalid value for header " + name + ": " + why;
	if (HTTPHeader::isSetByTransport(name))
		return "header " + name + " is set by the transport and cannot be overridden";
	return std::string();
}

std::optional<Poco::Timespan> parseRetryAfter(const std::string& text)
{
	const std::string value = Poco::trim(text);
	if (value.empty())
		return std::nullopt;
	if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
	{
		static const Poco::UInt64 maxSeconds = 10ull * 365 * 24 * 3600;
		Poco::UInt64 seconds = maxSeconds;
		if (value.size() < 12)
			seconds = std::min(Poco::NumberParser::parseUnsigned64(value), maxSeconds);
		return Poco::Timespan(static_cast<long>(seconds), 0);
	}
	Poco::DateTime dateTime;
	int tzd = 0;
	if (Poco::DateTimeParser::tryParse(value, dateTime, tzd))
	{
		dateTime.makeUTC(tzd);
		const Poco::Timestamp::TimeDiff diff = dateTime.timestamp() - Poco::Timestamp();
		return Poco::Timespan(std::max<Poco::Timestamp::TimeDiff>(diff, 0));
	}
	return std::nullopt;
}

/// Sets kind, responseCode and error from the status of a received response.
void judgeStatus(const Poco::Net::HTTPResponse& response, DeliveryOutcome& outcome)
{
	const int status = response.getStatus();
	outcome.responseCode = status;
	if (status >= 200 && status < 300)
	{
		outcome.kind = DeliveryOutcome::Kind::Succeeded;
		outcome.error.clear();
	}
	else if (status >= 300 && status < 400)
	{
		outcome.kind = DeliveryOutcome::Kind::Transient;
		outcome.error = response.has("Location")
			? "redirect to " + response.get("Location") + " not followed"
			: "redirect (HTTP " + Poco::NumberFormatter::format(status) + " without Location) not followed";
	}
	else
	{
		std::string reason = Poco::trim(response.getReason());
		if (reason.empty())
			reason = Poco::Net::HTTPResponse::getReasonForStatus(response.getStatus());
		outcome.kind = DeliveryOutcome::Kind::Transient;
		outcome.error = "HTTP " + Poco::NumberFormatter::format(status) + " " + reason;
	}
}

bool isNoBodyStatus(int status)
{
	return (status >= 100 && status < 200) || status == Poco::Net::HTTPResponse::HTTP_NO_CONTENT || status == Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED;
}

template <class E>
bool is(const Poco::Exception& exc)
{
	return dynamic_cast<const E*>(&exc) != nullptr;
}

} // namespace

const std::string HTTPTransport::DEFAULT_CA_FILE("/etc/ssl/certs/ca-certificates.crt");
const std::size_t HTTPTransport::MAX_DRAIN = 64 * 1024;

HTTPTransport::HTTPTransport(const Options& options):
	_options(options)
{
	if (const std::string why = HTTPHeader::checkValue(_options.userAgent); !why.empty())
		throw Poco::InvalidArgumentException("HTTP user agent " + why, _options.userAgent);
	_pTLSContext = std::make_unique<TLSClientContext>(_options.caFile.empty() ? DEFAULT_CA_FILE : _options.caFile, "CA file for HTTPS destinations not found");
}

HTTPTransport::~HTTPTransport()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_idle.clear();
	}
	_pTLSContext.reset();
}

std::size_t HTTPTransport::idleConnections() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::size_t count = 0;
	for (const auto& entry: _idle)
		count += entry.second.size();
	return count;
}

void HTTPTransport::deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome)
{
	outcome.kind = DeliveryOutcome::Kind::Permanent;

	HTTPTarget target;
	if (const std::string why = target.parse(request.target); !why.empty())
	{
		outcome.error = "invalid URL \"" + request.target + "\": " + why;
		return;
	}
	outcome.error = checkHeader("Content-Type", request.contentType);
	if (!outcome.error.empty())
		return;
	for (const auto& header: request.headers)
	{
		outcome.error = checkHeader(header.first, header.second);
		if (!outcome.error.empty())
			return;
	}

	outcome.kind = DeliveryOutcome::Kind::Transient;
	std::vector<Poco::Net::IPAddress> addresses;
	try
	{
		addresses = DestinationPolicy::resolve(target.host);
	}
	catch (Poco::Exception& exc)
	{
		outcome.error = DestinationPolicy::resolveError(target.host, exc);
		return;
	}
	if (!_options.allowPrivateDestinations)
	{
		outcome.error = DestinationPolicy::check(target.host, addresses);
		if (!outcome.error.empty())
		{
			outcome.kind = DeliveryOutcome::Kind::Permanent;
			return;
		}
	}
	// IPv4 first, as Poco's SocketAddress does; then IPv6.
	std::stable_partition(addresses.begin(), addresses.end(), [](const Poco::Net::IPAddress& a) { return a.family() == Poco::Net::IPAddress::IPv4; });

	const Poco::Timespan timeout = request.timeout.totalMicroseconds() > 0 ? request.timeout : Poco::Timespan(15, 0);
	const Poco::Timestamp start;
	std::size_t next = 0;
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
		Connection connection;
		bool reused = false;
		if (!retried && takeIdle(target.poolKey, addresses, connection))
		{
			reused = true;
		}
		else
		{
			connection = createConnection(target, addresses[next]);
		}

		outcome = DeliveryOutcome();
		const ExchangeResult result = exchange(connection, reused, target, request, timeout, outcome);
		if (result == ExchangeResult::StaleReused && !retried)
		{
			retried = true;
			continue;
		}
		if (result == ExchangeResult::ConnectFailed && !reused && next + 1 < addresses.size() && start.elapsed() < timeout.totalMicroseconds())
		{
			++next;
			continue;
		}
		return;
	}
}

void HTTPTransport::abortAll()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_aborted = true;
	for (Poco::Net::HTTPClientSession* session : _inFlight)
	{
		// Only the shutdown, of the descriptor itself: the socket stays open (its worker closes
		// it, so the descriptor cannot be reused under the worker's feet), and a TLS socket's own
		// shutdown() would write to the TLS session the worker is using. A blocked send or
		// receive returns now. A socket not connected yet ends at its connect timeout.
		const poco_socket_t fd = session->socket().impl()->sockfd();
		if (fd != POCO_INVALID_SOCKET) ::shutdown(fd, 2);  // SHUT_RDWR, SD_BOTH
	}
}

HTTPTransport::Connection HTTPTransport::createConnection(const HTTPTarget& target, const Poco::Net::IPAddress& address) const
{
	Connection connection;
	connection.address = address;
	if (target.secure)
	{
		// Connect to the checked address; SNI and the certificate check use the URL's host name.
		Poco::Net::SecureStreamSocket socket(_pTLSContext->context());
		socket.setPeerHostName(target.host);
		auto session = std::make_unique<Poco::Net::HTTPSClientSession>(socket);
		session->setHost(address.toString());
		session->setPort(target.port);
		connection.session = std::move(session);
	}
	else
	{
		connection.session = std::make_unique<Poco::Net::HTTPClientSession>(Poco::Net::SocketAddress(address, target.port));
	}
	connection.session->setKeepAlive(true);
	// The pool decides when an idle connection is too old; keep Poco from silently reconnecting.
	connection.session->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));
	return connection;
}

HTTPTransport::ExchangeResult HTTPTransport::exchange(Connection& connection, bool reused, const HTTPTarget& target, const DeliveryRequest& request, Poco::Timespan timeout, DeliveryOutcome& outcome)
{
	enum class Phase { Connect, Send, Receive, Body };

	Poco::Net::HTTPClientSession& session = *connection.session;
	session.setTimeout(timeout, timeout, timeout);
	// Known to abortAll() while it runs.
	struct InFlight
	{
		HTTPTransport& transport;
		Poco::Net::HTTPClientSession* session;
		InFlight(HTTPTransport& t, Poco::Net::HTTPClientSession* s): transport(t), session(s)
		{
			std::lock_guard<std::mutex> lock(transport._mutex);
			transport._inFlight.insert(session);
		}
		~InFlight()
		{
			std::lock_guard<std::mutex> lock(transport._mutex);
			transport._inFlight.erase(session);
		}
	} inFlight(*this, &session);

	Poco::Net::HTTPRequest httpRequest(Poco::Net::HTTPRequest::HTTP_POST, target.pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
	httpRequest.set("Host", target.hostHeader);
	httpRequest.setContentType(request.contentType);
	httpRequest.setContentLength(static_cast<std::streamsize>(request.body.size()));
	httpRequest.set("User-Agent", _options.userAgent);
	httpRequest.setKeepAlive(true);
	for (const auto& header: request.headers)
	{
		if (Poco::icompare(header.first, "Content-Type") == 0 || Poco::icompare(header.first, "User-Agent") == 0)
			httpRequest.set(header.first, header.second);
		else
			httpRequest.add(header.first, header.second);
	}

	const std::string endpoint = Poco::Net::SocketAddress(connection.address, target.port).toString();
	const std::string peer = target.host == connection.address.toString() ? endpoint : target.host + " (" + endpoint + ")";

	Phase phase = session.connected() ? Phase::Send : Phase::Connect;
	Poco::Net::HTTPResponse response;
	bool reusable = false;
	try
	{
		TLSClientContext::clearVerifyError();
		std::ostream& ostr = session.sendRequest(httpRequest);
		phase = Phase::Send;
		ostr.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
		ostr.flush();
		if (!ostr)
		{
			if (session.networkException())
				session.networkException()->rethrow();
			throw Poco::IOException("cannot send the request");
		}

		phase = Phase::Receive;
		std::istream& istr = session.receiveResponse(response);
		phase = Phase::Body;

		const int status = response.getStatus();
		outcome.responseCode = status;
		if (response.has("Retry-After"))
			outcome.retryAfter = parseRetryAfter(response.get("Retry-After"));

		bool complete = false;
		if (isNoBodyStatus(status))
		{
			complete = true;
		}
		else
		{
			const std::size_t limit = _options.maxResponseBody + MAX_DRAIN;
			std::size_t total = 0;
			char buffer[8192];
			while (total <= limit)
			{
				istr.read(buffer, sizeof(buffer));
				const std::size_t n = static_cast<std::size_t>(istr.gcount());
				if (outcome.responseBody.size() < _options.maxResponseBody)
					outcome.responseBody.append(buffer, std::min(n, _options.maxResponseBody - outcome.responseBody.size()));
				total += n;
				if (istr.bad())
					break;
				if (istr.eof())
				{
					complete = true;
					break;
				}
			}
		}
		reusable = complete
			&& response.getKeepAlive()
			&& (isNoBodyStatus(status) || response.getChunkedTransferEncoding() || response.hasContentLength())
			&& session.networkException() == nullptr;

		judgeStatus(response, outcome);
	}
	catch (Poco::Exception& exc)
	{
		// The stream classes swallow the socket's exception and report a generic one;
		// the session keeps the original.
		const Poco::Exception* cause = &exc;
		if (session.networkException() && !is<Poco::TimeoutException>(exc) && (is<Poco::Net::MessageException>(exc) || typeid(exc) == typeid(Poco::Net::NetException) || typeid(exc) == typeid(Poco::IOException)))
			cause = session.networkException();

		if (phase == Phase::Body)
		{
			// The status line and headers arrived: judge by the status, drop the connection.
			reusable = false;
			judgeStatus(response, outcome);
			if (!outcome.succeeded())
				outcome.error += " (reading the response body failed: " + cause->displayText() + ")";
		}
		else
		{
			outcome.kind = DeliveryOutcome::Kind::Transient;
			outcome.responseCode = 0;
			const bool connectionLost = is<Poco::Net::NoMessageException>(*cause)
				|| is<Poco::Net::ConnectionResetException>(*cause)
				|| is<Poco::Net::ConnectionAbortedException>(*cause)
				|| is<Poco::Net::SSLConnectionUnexpectedlyClosedException>(*cause);
			if (reused && !is<Poco::TimeoutException>(*cause) && (phase == Phase::Send || (phase == Phase::Receive && connectionLost)))
			{
				outcome.error = "reused connection to " + peer + " was closed: " + cause->displayText();
				return ExchangeResult::StaleReused;
			}

			const Poco::Exception& e = *cause;
			if (is<Poco::TimeoutException>(e))
				outcome.error = "timeout after " + Poco::NumberFormatter::format(timeout.totalMilliseconds()) + " ms";
			else if (is<Poco::Net::CertificateValidationException>(e) || is<Poco::Net::InvalidCertificateException>(e))
				outcome.error = "TLS certificate verification failed for " + target.host + ": the certificate is not valid for this host name";
			else if (is<Poco::Net::SSLException>(e) && !TLSClientContext::verifyError().empty())
				outcome.error = "TLS certificate verification failed for " + target.host + ": " + TLSClientContext::verifyError();
			else if (is<Poco::Net::SSLException>(e))
				outcome.error = "TLS error with " + peer + ": " + e.displayText();
			else if (is<Poco::Net::ConnectionRefusedException>(e))
				outcome.error = "connection refused by " + peer;
			else if (is<Poco::Net::ConnectionResetException>(e))
				outcome.error = "connection reset by " + peer;
			else if (is<Poco::Net::NoMessageException>(e))
				outcome.error = "connection closed by " + peer + " before a response was received";
			else if (is<Poco::Net::MessageException>(e))
				outcome.error = "invalid HTTP response from " + peer + ": " + e.displayText();
			else
				outcome.error = "network error with " + peer + ": " + e.displayText();

			if (phase == Phase::Connect && !is<Poco::TimeoutException>(e) && !is<Poco::Net::SSLException>(e))
				return ExchangeResult::ConnectFailed;
		}
	}

	if (reusable && _options.maxIdlePerHost > 0)
		giveBack(target.poolKey, std::move(connection));
	return ExchangeResult::Done;
}

bool HTTPTransport::takeIdle(const std::string& key, const std::vector<Poco::Net::IPAddress>& addresses, Connection& connection)
{
	std::vector<Connection> discarded;  // closed outside the lock
	bool found = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _idle.find(key);
		if (it == _idle.end())
			return false;
		std::vector<Connection>& idle = it->second;
		while (!idle.empty() && !found)
		{
			Connection candidate = std::move(idle.back());  // most recently used first
			idle.pop_back();
			bool usable = candidate.idleSince.elapsed() < _options.idleTimeout.totalMicroseconds()
				&& std::find(addresses.begin(), addresses.end(), candidate.address) != addresses.end();
			if (usable)
			{
				try
				{
					// Readable while idle means the server closed it (or sent something unasked).
					usable = candidate.session->connected() && quiet(candidate.session->socket());
				}
				catch (Poco::Exception&)
				{
					usable = false;
				}
			}
			if (usable)
			{
				connection = std::move(candidate);
				found = true;
			}
			else
			{
				discarded.push_back(std::move(candidate));
			}
		}
		if (idle.empty())
			_idle.erase(it);
	}
	return found;
}

void HTTPTransport::giveBack(const std::string& key, Connection&& connection)
{
	std::vector<Connection> discarded;  // closed outside the lock
	connection.idleSince.update();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_lastSweep.elapsed() >= _options.idleTimeout.totalMicroseconds())
		{
			_lastSweep.update();
			for (auto it = _idle.begin(); it != _idle.end();)
			{
				std::vector<Connection>& idle = it->second;
				for (auto c = idle.begin(); c != idle.end();)
				{
					if (c->idleSince.elapsed() >= _options.idleTimeout.totalMicroseconds())
					{
						discarded.push_back(std::move(*c));
						c = idle.erase(c);
					}
					else ++c;
				}
				if (idle.empty())
					it = _idle.erase(it);
				else
					++it;
			}
		}
		std::vector<Connection>& idle = _idle[key];
		if (idle.size() < _options.maxIdlePerHost)
			idle.push_back(std::move(connection));
		else
			discarded.push_back(std::move(connection));
	}
}

} // namespace Hookgate

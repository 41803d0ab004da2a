#pragma once

#include "transports/GuardedTransport.h"
#include "transports/HTTPTarget.h"
#include "transports/TLSClientContext.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <cstddef>
#include <map>
#include <memory>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#ifndef HOOKGATE_VERSION
#define HOOKGATE_VERSION "unknown"
#endif

namespace Hookgate {

/// Delivers a payload as an HTTP(S) POST, with keep-alive connection reuse.
///
/// - POST to request.target (http or https URL) with request.body, headers
///   Host, Content-Type (request.contentType), Content-Length, User-Agent,
///   Connection: Keep-Alive, then request.headers in order.
/// - 2xx is Succeeded; any other status is Transient with responseCode set
///   ("HTTP <code> <reason>"; 3xx: "redirect to <Location> not followed").
///   Network failures are Transient with responseCode 0; an invalid URL or
///   header, or a refused private destination, is Permanent.
/// - The host is resolved on every attempt. Unless private destinations are
///   allowed, an attempt to a host that resolves to any private address
///   fails permanently without a connection (see DestinationPolicy). The
///   connection goes to the checked address (for https too; SNI and the
///   certificate check use the URL's host name).
/// - TLS: certificate chain and host name are verified against the CA file.
/// - Idle connections are kept per scheme://host:port and reused; a reused
///   connection that turns out to be closed before any response byte arrives
///   is retried once on a fresh connection.
/// deliver() is thread-safe and never throws.
class HTTPTransport: public GuardedTransport
{
public:
	struct Options
	{
		std::string caFile;                        ///< PEM CA bundle for https; empty = DEFAULT_CA_FILE
		bool allowPrivateDestinations = false;     ///< hookgate.security.allowPrivateDestinations
		std::string userAgent = std::string("hookgate/") + HOOKGATE_VERSION;
		std::size_t maxResponseBody = 4096;        ///< bytes of the response body kept in the outcome
		std::size_t maxIdlePerHost = 8;            ///< idle keep-alive connections kept per scheme://host:port; 0 = no reuse
		Poco::Timespan idleTimeout = Poco::Timespan(4, 0); ///< idle connections older than this are closed, not reused
	};

	explicit HTTPTransport(const Options& options);
		/// Initializes NetSSL and builds the TLS client context.
		/// Throws Poco::FileNotFoundException if the CA file does not exist,
		/// Poco::Net::SSLContextException if it cannot be loaded.

	~HTTPTransport() override;

	void abortAll() override;
		/// Shuts down the socket of every exchange in flight (see Transport::abortAll()).

	std::size_t idleConnections() const;
		/// The number of idle keep-alive connections currently kept.

	const Options& options() const;

	static const std::string DEFAULT_CA_FILE; ///< /etc/ssl/certs/ca-certificates.crt
	static const std::size_t MAX_DRAIN;       ///< bytes read past maxResponseBody to keep a connection reusable (64 KiB)

private:

	struct Connection
	{
		std::unique_ptr<Poco::Net::HTTPClientSession> session;
		Poco::Net::IPAddress address;
		Poco::Timestamp idleSince;
	};

	enum class ExchangeResult
	{
		Done,          ///< outcome is final
		StaleReused,   ///< a reused connection failed before any response byte: retry on a fresh one
		ConnectFailed  ///< the connection could not be established: another address may be tried
	};

	void deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome) override;
	ExchangeResult exchange(Connection& connection, bool reused, const HTTPTarget& target, const DeliveryRequest& request, Poco::Timespan timeout, DeliveryOutcome& outcome);
	Connection createConnection(const HTTPTarget& target, const Poco::Net::IPAddress& address) const;
	bool takeIdle(const std::string& key, const std::vector<Poco::Net::IPAddress>& addresses, Connection& connection);
	void giveBack(const std::string& key, Connection&& connection);

	Options _options;
	std::unique_ptr<TLSClientContext> _pTLSContext;
	mutable std::mutex _mutex;
	std::map<std::string, std::vector<Connection>> _idle;
	std::atomic<bool> _aborted{false};  ///< set by abortAll(): no new connection after it
	std::set<Poco::Net::HTTPClientSession*> _inFlight;  ///< sessions of the exchanges in progress
	Poco::Timestamp _lastSweep;
};

inline const HTTPTransport::Options& HTTPTransport::options() const
{
	return _options;
}

} // namespace Hookgate

#pragma once

#include "gateway/api/ApiConnectionShared.h"

#include <atomic>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/TCPServerConnection.h>

namespace Hookgate {

class ApiError;

/// One client connection of the API port. Reads its requests one after the other
/// (keep-alive) and hands each to the request handler factory, as Poco's HTTPServerConnection
/// does, with two differences:
///  - the framing of each request (RequestFraming) is checked before a handler sees it;
///  - a request that cannot be read or framed gets the API's JSON error body (414, 431, 400,
///    501; Poco answers a bare 400, or nothing for a bad Content-Length) and the connection
///    is closed after it.
/// Whole deadlines (ConnectionWatchdog): the request head must be complete within
/// hookgate.http.headerTimeout of the connection's start or of the first byte after an idle
/// keep-alive wait, however slowly it trickles (else 408 request_timeout); the body must be read
/// within hookgate.http.bodyTimeout (else the connection is closed). Refusals and cut-offs are
/// logged, at most one line a second for the whole server (the count of those not logged goes
/// with the next line), and counted in /metrics.
class ApiServerConnection : public Poco::Net::TCPServerConnection
{
public:
	ApiServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
		Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ApiConnectionShared::Ptr shared);
	~ApiServerConnection() override;

	void run() override;

private:
	/// Answers `error` with Connection: close, then reads (bounded, briefly) what the client
	/// is still sending so that it gets to read the answer rather than a reset connection.
	void refuse(Poco::Net::HTTPServerSession& session, const ApiError& error);
	/// 408 request_timeout: the head was not complete at the header deadline.
	void refuseLateHead(Poco::Net::HTTPServerSession& session);
	/// One line in the log (throttled, see LogThrottle) about this connection's client.
	void note(const std::string& what);
	void onServerStopped(const bool& abortCurrent);

	Poco::Net::HTTPServerParams::Ptr _params;
	Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
	ApiConnectionShared::Ptr _shared;
	std::atomic<bool> _stopped{false};
	std::atomic<bool> _handling{false};  ///< a handler is serving a request (a graceful stop waits for it)
};

} // namespace Hookgate

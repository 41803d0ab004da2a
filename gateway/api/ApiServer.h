#pragma once

#include "gateway/api/ApiConnectionShared.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>

namespace Hookgate {

/// The API port's server: Poco's TCPServer with an ApiServerConnection per client
/// connection (where Poco's HTTPServer has an HTTPServerConnection), so that every request is
/// framed strictly, every refusal carries the API's JSON error body and every request has
/// whole deadlines; and a ConnectionLimiter in front, which refuses connections over the caps
/// in the accepting thread. `params` give the request threads, the keep-alive timeout and the
/// per-read timeout; its queue is sized to maxConnections, so Poco never drops one silently.
class ApiServer : public Poco::Net::TCPServer
{
public:
	ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
		Poco::Net::HTTPServerParams::Ptr params, const ApiConnectionShared::Limits& limits, Metrics& metrics,
		Poco::Logger& logger);
	~ApiServer() override;

	/// Stops accepting and ends every connection: idle ones at once, the others after the
	/// request they are serving. Waits at most `grace` for those, then shuts their sockets down
	/// and waits at most 2 s more. Returns the number of connections still running then.
	int stopAll(const Poco::Timespan& grace = Poco::Timespan(10, 0));

private:
	ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
		Poco::Net::HTTPServerParams::Ptr params, ApiConnectionShared::Ptr shared);

	ApiConnectionShared::Ptr _shared;
};

} // namespace Hookgate

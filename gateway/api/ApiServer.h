#pragma once

#include "gateway/api/ApiServerConnection.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>

namespace Hookgate {

/// The API port's server: Poco's TCPServer with an ApiServerConnection per client
/// connection (where Poco's HTTPServer has an HTTPServerConnection), so that every request is
/// framed strictly and every refusal carries the API's JSON error body.
class ApiServer : public Poco::Net::TCPServer
{
public:
	ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
		Poco::Net::HTTPServerParams::Ptr params, Poco::Logger& logger);
	~ApiServer() override;

	/// Stops accepting, then ends every connection: at once when `abortCurrent`, else each
	/// after the request it is serving (idle keep-alive connections at once).
	void stopAll(bool abortCurrent = false);

private:
	ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
		Poco::Net::HTTPServerParams::Ptr params, Poco::Logger& logger, ApiServerStop::Ptr stop);

	ApiServerStop::Ptr _stop;
};

} // namespace Hookgate

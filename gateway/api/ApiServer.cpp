#include "gateway/api/ApiServer.h"
#include "gateway/api/ApiServerConnection.h"

#include <Poco/Net/TCPServerConnectionFactory.h>

namespace Hookgate {

namespace {

class ApiServerConnectionFactory : public Poco::Net::TCPServerConnectionFactory
{
public:
	ApiServerConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
		ApiServerStop::Ptr stop, Poco::Logger& logger):
		_params(params),
		_factory(factory),
		_stop(stop),
		_logger(logger)
	{
	}

	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new ApiServerConnection(socket, _params, _factory, _stop, _logger);
	}

private:
	Poco::Net::HTTPServerParams::Ptr _params;
	Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
	ApiServerStop::Ptr _stop;
	Poco::Logger& _logger;
};

} // namespace

ApiServer::ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
	Poco::Net::HTTPServerParams::Ptr params, Poco::Logger& logger):
	ApiServer(factory, socket, params, logger, new ApiServerStop)
{
}

ApiServer::ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
	Poco::Net::HTTPServerParams::Ptr params, Poco::Logger& logger, ApiServerStop::Ptr stop):
	Poco::Net::TCPServer(new ApiServerConnectionFactory(params, factory, stop, logger), socket, params),
	_stop(stop)
{
}

ApiServer::~ApiServer()
{
	try
	{
		stopAll(false);
	}
	catch (...)
	{
	}
}

void ApiServer::stopAll(bool abortCurrent)
{
	stop();
	_stop->event(this, abortCurrent);
}

} // namespace Hookgate

#include "gateway/api/ApiServer.h"
#include "gateway/api/ApiServerConnection.h"

#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

namespace Hookgate {

namespace {

class ApiServerConnectionFactory : public Poco::Net::TCPServerConnectionFactory
{
public:
	ApiServerConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
		ApiConnectionShared::Ptr shared):
		_params(params),
		_factory(factory),
		_shared(shared)
	{
	}

	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new ApiServerConnection(socket, _params, _factory, _shared);
	}

private:
	Poco::Net::HTTPServerParams::Ptr _params;
	Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
	ApiConnectionShared::Ptr _shared;
};

} // namespace

ApiServer::ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
	Poco::Net::HTTPServerParams::Ptr params, const ApiConnectionShared::Limits& limits, Metrics& metrics, Poco::Logger& logger):
	ApiServer(factory, socket, params, new ApiConnectionShared(limits, metrics, logger))
{
}

ApiServer::ApiServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const Poco::Net::ServerSocket& socket,
	Poco::Net::HTTPServerParams::Ptr params, ApiConnectionShared::Ptr shared):
	Poco::Net::TCPServer(new ApiServerConnectionFactory(params, factory, shared), socket, params),
	_shared(shared)
{
	setConnectionFilter(_shared->limiter);
}

ApiServer::~ApiServer()
{
	try
	{
		stopAll();
	}
	catch (...)
	{
	}
}

int ApiServer::stopAll(const Poco::Timespan& grace)
{
	stop();
	const auto waitFor = [this](const Poco::Timespan& limit) {
		const Poco::Timestamp start;
		while (currentConnections() > 0 && !start.isElapsed(limit.totalMicroseconds()))
			Poco::Thread::sleep(10);
		return currentConnections();
	};
	_shared->stopped(this, false);
	if (waitFor(grace) == 0) return 0;
	_shared->stopped(this, true);
	return waitFor(Poco::Timespan(2, 0));
}

} // namespace Hookgate

#include "Receiver.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>

#include <chrono>

namespace Hookgate {
namespace Test {

class Receiver::Handler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit Handler(Receiver& receiver):
		_receiver(receiver)
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		RecordedRequest recorded;
		recorded.method = request.getMethod();
		recorded.uri = request.getURI();
		for (const auto& header: request) recorded.headers.add(header.first, header.second);
		Poco::StreamCopier::copyToString(request.stream(), recorded.body);
		recorded.arrivedAt.update();
		const Reply reply = _receiver.record(std::move(recorded));
		const Poco::Timespan delay = _receiver.delay();
		if (delay.totalMicroseconds() > 0) Poco::Thread::sleep(static_cast<long>(delay.totalMilliseconds()));
		response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
		response.setContentType("text/plain");
		response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
		response.send() << reply.body;
	}

private:
	Receiver& _receiver;
};

class Receiver::HandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit HandlerFactory(Receiver& receiver):
		_receiver(receiver)
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new Handler(_receiver);
	}

private:
	Receiver& _receiver;
};

Receiver::Script Receiver::always(int status)
{
	return [status](const RecordedRequest&, std::size_t) { return Reply{status, "status " + std::to_string(status)}; };
}

Receiver::Script Receiver::failTimes(std::size_t times, int failStatus, int thenStatus)
{
	return [=](const RecordedRequest&, std::size_t index)
	{
		const int status = index < times ? failStatus : thenStatus;
		return Reply{status, "status " + std::to_string(status)};
	};
}

Receiver::Receiver(Script script):
	_script(std::move(script))
{
}

Receiver::~Receiver()
{
	try
	{
		stop();
	}
	catch (...)
	{
	}
}

void Receiver::start(Poco::UInt16 port)
{
	stop();
	Poco::Net::ServerSocket socket;
	socket.bind(Poco::Net::SocketAddress("127.0.0.1", port), true);
	socket.listen(256);
	_port = socket.address().port();
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setKeepAlive(true);
	params->setMaxThreads(32);
	params->setMaxQueued(512);
	params->setTimeout(Poco::Timespan(10, 0));
	_threadPool.reset(new Poco::ThreadPool(2, 48));
	_server.reset(new Poco::Net::HTTPServer(new HandlerFactory(*this), *_threadPool, socket, params));
	_server->start();
}

void Receiver::stop()
{
	if (_server)
	{
		_server->stopAll(true);
		_server.reset();
	}
	if (_threadPool)
	{
		_threadPool->joinAll();
		_threadPool.reset();
	}
}

void Receiver::setScript(Script script)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_script = std::move(script);
}

void Receiver::setDelay(const Poco::Timespan& delay)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_delay = delay;
}

Poco::Timespan Receiver::delay() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _delay;
}

Poco::UInt16 Receiver::port() const
{
	return _port;
}

std::string Receiver::url(const std::string& path) const
{
	return "http://127.0.0.1:" + std::to_string(_port) + path;
}

std::size_t Receiver::count() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _requests.size();
}

std::vector<RecordedRequest> Receiver::requests() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _requests;
}

bool Receiver::waitForCount(std::size_t count, const Poco::Timespan& deadline) const
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _arrived.wait_for(lock, std::chrono::microseconds(deadline.totalMicroseconds()),
		[&] { return _requests.size() >= count; });
}

Poco::UInt16 Receiver::unusedPort()
{
	Poco::Net::ServerSocket socket;
	socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
	const Poco::UInt16 port = socket.address().port();
	socket.close();
	return port;
}

Receiver::Reply Receiver::record(RecordedRequest request)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const Reply reply = _script(request, _requests.size());
	request.answeredWith = reply.status;
	_requests.push_back(std::move(request));
	_arrived.notify_all();
	return reply;
}

} } // namespace Hookgate::Test

#include "HTTPTestServer.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NumberFormatter.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace Hookgate {
namespace Test {

std::string HTTPRecordedRequest::header(const std::string& name) const
{
	for (const auto& h: headers)
	{
		if (Poco::icompare(h.first, name) == 0)
			return h.second;
	}
	return std::string();
}

bool HTTPRecordedRequest::hasHeader(const std::string& name) const
{
	for (const auto& h: headers)
	{
		if (Poco::icompare(h.first, name) == 0)
			return true;
	}
	return false;
}

struct HTTPTestServer::State
{
	mutable std::mutex mutex;
	mutable std::condition_variable changed;
	std::vector<HTTPRecordedRequest> requests;
	Script script;
	Poco::Event released{Poco::Event::EVENT_MANUALRESET};
};

namespace {

class RecordingHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit RecordingHandler(std::shared_ptr<HTTPTestServer::State> pState):
		_pState(std::move(pState))
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		HTTPRecordedRequest recorded;
		recorded.method = request.getMethod();
		recorded.uri = request.getURI();
		for (const auto& h: request)
			recorded.headers.emplace_back(h.first, h.second);
		Poco::StreamCopier::copyToString(request.stream(), recorded.body);
		recorded.client = request.clientAddress();

		HTTPTestServer::Script script;
		{
			std::lock_guard<std::mutex> lock(_pState->mutex);
			_pState->requests.push_back(recorded);
			script = _pState->script;
		}
		_pState->changed.notify_all();

		const HTTPScriptedResponse answer = script ? script(recorded) : HTTPScriptedResponse();
		if (answer.hold.totalMilliseconds() > 0)
			_pState->released.tryWait(static_cast<long>(answer.hold.totalMilliseconds()));

		const auto status = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status);
		response.setStatusAndReason(status, answer.reason.empty() ? Poco::Net::HTTPResponse::getReasonForStatus(status) : answer.reason);
		for (const auto& h: answer.headers)
			response.set(h.first, h.second);  // replaces the server's own Connection header, for one
		if (answer.status == 204 || answer.status == 304)
		{
			response.send();
		}
		else
		{
			response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
			response.send() << answer.body;
		}
	}

private:
	std::shared_ptr<HTTPTestServer::State> _pState;
};

class RecordingHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit RecordingHandlerFactory(std::shared_ptr<HTTPTestServer::State> pState):
		_pState(std::move(pState))
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new RecordingHandler(_pState);
	}

private:
	std::shared_ptr<HTTPTestServer::State> _pState;
};

} // namespace

HTTPTestServer::HTTPTestServer(Poco::Net::Context::Ptr pTLSContext):
	_pState(std::make_shared<State>()),
	_threadPool(2, 32),
	_secure(!pTLSContext.isNull())
{
	Poco::Net::HTTPServerParams::Ptr pParams = new Poco::Net::HTTPServerParams;
	pParams->setKeepAlive(true);
	pParams->setKeepAliveTimeout(Poco::Timespan(10, 0));
	pParams->setMaxKeepAliveRequests(10000);
	pParams->setMaxThreads(30);
	pParams->setTimeout(Poco::Timespan(10, 0));

	const Poco::Net::SocketAddress address("127.0.0.1", 0);
	if (_secure)
	{
		Poco::Net::SecureServerSocket socket(address, 64, pTLSContext);
		_port = socket.address().port();
		_pServer.reset(new Poco::Net::HTTPServer(new RecordingHandlerFactory(_pState), _threadPool, socket, pParams));
	}
	else
	{
		Poco::Net::ServerSocket socket(address, 64);
		_port = socket.address().port();
		_pServer.reset(new Poco::Net::HTTPServer(new RecordingHandlerFactory(_pState), _threadPool, socket, pParams));
	}
	_pServer->start();
}

HTTPTestServer::~HTTPTestServer()
{
	release();
	_pServer->stopAll(true);
	_threadPool.joinAll();
	_pServer.reset();
}

Poco::UInt16 HTTPTestServer::port() const
{
	return _port;
}

std::string HTTPTestServer::url(const std::string& path, const std::string& host) const
{
	return std::string(_secure ? "https://" : "http://") + host + ":" + Poco::NumberFormatter::format(_port) + path;
}

void HTTPTestServer::respond(const HTTPScriptedResponse& response)
{
	respond([response](const HTTPRecordedRequest&) { return response; });
}

void HTTPTestServer::respond(Script script)
{
	std::lock_guard<std::mutex> lock(_pState->mutex);
	_pState->script = std::move(script);
}

std::vector<HTTPRecordedRequest> HTTPTestServer::requests() const
{
	std::lock_guard<std::mutex> lock(_pState->mutex);
	return _pState->requests;
}

std::size_t HTTPTestServer::requestCount() const
{
	std::lock_guard<std::mutex> lock(_pState->mutex);
	return _pState->requests.size();
}

bool HTTPTestServer::waitForRequests(std::size_t count, Poco::Timespan deadline) const
{
	std::unique_lock<std::mutex> lock(_pState->mutex);
	return _pState->changed.wait_for(lock, std::chrono::microseconds(deadline.totalMicroseconds()), [&] { return _pState->requests.size() >= count; });
}

std::set<Poco::UInt16> HTTPTestServer::clientPorts() const
{
	std::lock_guard<std::mutex> lock(_pState->mutex);
	std::set<Poco::UInt16> ports;
	for (const auto& r: _pState->requests)
		ports.insert(r.client.port());
	return ports;
}

void HTTPTestServer::release()
{
	_pState->released.set();
}

} // namespace Test
} // namespace Hookgate

#pragma once

#include <Poco/Event.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {
namespace Test {

/// A request as the test server received it.
struct HTTPRecordedRequest
{
	std::string method;
	std::string uri;
	std::vector<std::pair<std::string, std::string>> headers;  ///< in the order received
	std::string body;
	Poco::Net::SocketAddress client;                           ///< one client port = one TCP connection

	std::string header(const std::string& name) const;        ///< first value, "" if absent
	bool hasHeader(const std::string& name) const;
};

/// What the test server answers.
struct HTTPScriptedResponse
{
	int status = 200;
	std::string reason;                                        ///< empty: the standard reason
	std::vector<std::pair<std::string, std::string>> headers;
	std::string body;
	Poco::Timespan hold;                                       ///< wait up to this long for release() before answering
};

/// A Poco HTTPServer (or HTTPS with a server Context) on 127.0.0.1, port 0,
/// that records every request and answers from a script.
class HTTPTestServer
{
public:
	using Script = std::function<HTTPScriptedResponse(const HTTPRecordedRequest&)>;

	explicit HTTPTestServer(Poco::Net::Context::Ptr pTLSContext = nullptr);
	~HTTPTestServer();

	Poco::UInt16 port() const;
	std::string url(const std::string& path = "/", const std::string& host = "127.0.0.1") const;

	void respond(const HTTPScriptedResponse& response);  ///< the answer to every request
	void respond(Script script);

	std::vector<HTTPRecordedRequest> requests() const;
	std::size_t requestCount() const;
	bool waitForRequests(std::size_t count, Poco::Timespan deadline) const;
	std::set<Poco::UInt16> clientPorts() const;          ///< distinct client ports: the TCP connections that sent requests

	void release();  ///< lets held answers go

	struct State;

private:
	std::shared_ptr<State> _pState;
	Poco::ThreadPool _threadPool;
	std::unique_ptr<Poco::Net::HTTPServer> _pServer;
	Poco::UInt16 _port = 0;
	bool _secure = false;
};

} // namespace Test
} // namespace Hookgate

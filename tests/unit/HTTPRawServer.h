#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace Hookgate {
namespace Test {

/// A TCP server on 127.0.0.1, port 0, that runs a script on its own thread,
/// for behaviour an HTTPServer will not produce (closing a keep-alive
/// connection after reading a request, ...). Every blocking call has a deadline.
class HTTPRawServer
{
public:
	using Script = std::function<void(HTTPRawServer&)>;

	explicit HTTPRawServer(Script script);
	~HTTPRawServer();  ///< closes the listening socket and joins the script

	Poco::UInt16 port() const;
	std::string url(const std::string& path = "/") const;

	Poco::Net::StreamSocket accept(Poco::Timespan deadline);
		/// Throws Poco::TimeoutException when no connection arrives in time.

	static std::string readRequest(Poco::Net::StreamSocket& socket, Poco::Timespan deadline);
		/// Reads one request (headers and Content-Length body); returns "" when the
		/// peer closed the connection before sending anything.

	static void send(Poco::Net::StreamSocket& socket, const std::string& bytes);

	void join();
	std::string error() const;  ///< what the script threw, if anything

private:
	Poco::Net::ServerSocket _socket;
	std::thread _thread;
	mutable std::mutex _mutex;
	std::string _error;
};

} // namespace Test
} // namespace Hookgate

#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/BasicEvent.h>
#include <Poco/Logger.h>
#include <Poco/Mutex.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/RefCountedObject.h>

namespace Hookgate {

class ApiError;

/// Fired once by ApiServer::stopAll() (true: abort the requests in progress). Shared by the
/// server and its connections, which may end after the server object.
struct ApiServerStop : public Poco::RefCountedObject
{
	using Ptr = Poco::AutoPtr<ApiServerStop>;
	Poco::BasicEvent<const bool> event;
};

/// One client connection of the API port. Reads its requests one after the other
/// (keep-alive) and hands each to the request handler factory, as Poco's HTTPServerConnection
/// does, with two differences:
///  - the framing of each request (RequestFraming) is checked before a handler sees it;
///  - a request that cannot be read or framed gets the API's JSON error body (414, 431, 400,
///    501; Poco answers a bare 400, or nothing for a bad Content-Length) and the connection
///    is closed after it.
/// Refusals are logged, at most one line a second for the whole server (the count of those
/// not logged goes with the next line).
class ApiServerConnection : public Poco::Net::TCPServerConnection
{
public:
	ApiServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
		Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ApiServerStop::Ptr stop, Poco::Logger& logger);
	~ApiServerConnection() override;

	void run() override;

private:
	/// Answers `error` with Connection: close, then reads (bounded, briefly) what the client
	/// is still sending so that it gets to read the answer rather than a reset connection.
	void refuse(Poco::Net::HTTPServerSession& session, const ApiError& error);
	void onServerStopped(const bool& abortCurrent);

	Poco::Net::HTTPServerParams::Ptr _params;
	Poco::Net::HTTPRequestHandlerFactory::Ptr _factory;
	ApiServerStop::Ptr _stop;
	Poco::Logger& _logger;
	bool _stopped = false;
	Poco::FastMutex _mutex;
};

} // namespace Hookgate

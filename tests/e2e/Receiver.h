#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <Poco/Types.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// One request as the receiver saw it.
struct RecordedRequest
{
	std::string method;
	std::string uri;
	Poco::Net::NameValueCollection headers;  ///< case-insensitive names, all values
	std::string body;
	Poco::Timestamp arrivedAt;
	int answeredWith = 0;
};

/// A webhook receiver: a real Poco HTTPServer on 127.0.0.1 that records
/// every request and answers from a script. It can be stopped and started
/// again on the same port.
class Receiver
{
public:
	struct Reply
	{
		int status = 200;
		std::string body = "ok";
	};

	/// Decides the answer; index is the 0-based number of the request
	/// since the receiver was created (across restarts).
	using Script = std::function<Reply(const RecordedRequest& request, std::size_t index)>;

	static Script always(int status);
	static Script failTimes(std::size_t times, int failStatus, int thenStatus = 200);
		/// The first `times` requests get failStatus, all others thenStatus.

	explicit Receiver(Script script = always(200));
	~Receiver();

	Receiver(const Receiver&) = delete;
	Receiver& operator=(const Receiver&) = delete;

	void start(Poco::UInt16 port = 0);
		/// Listens on 127.0.0.1:port (0: a free one; with reuseAddress so
		/// a port used before can be taken again).
	void stop();
		/// Closes the listening socket and aborts open connections.

	void setScript(Script script);
	void setDelay(const Poco::Timespan& delay);
		/// Holds every answer this long after recording the request (requests
		/// are still recorded and answered concurrently), as a slow receiver does.

	Poco::UInt16 port() const;
	std::string url(const std::string& path = "/hook") const;
		/// http://127.0.0.1:<port><path>

	std::size_t count() const;
	std::vector<RecordedRequest> requests() const;
	bool waitForCount(std::size_t count, const Poco::Timespan& deadline) const;
		/// Waits until at least count requests have arrived.

	static Poco::UInt16 unusedPort();
		/// A port nothing listens on: binds 127.0.0.1:0, notes the port, closes.

	// For the request handler.
	Reply record(RecordedRequest request);
	Poco::Timespan delay() const;

private:
	class Handler;
	class HandlerFactory;

	Script _script;
	mutable std::mutex _mutex;
	mutable std::condition_variable _arrived;
	std::vector<RecordedRequest> _requests;
	Poco::Timespan _delay;
	std::unique_ptr<Poco::ThreadPool> _threadPool;
	std::unique_ptr<Poco::Net::HTTPServer> _server;
	Poco::UInt16 _port = 0;
};

} } // namespace Hookgate::Test

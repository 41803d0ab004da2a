#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Hookgate {
namespace Test {

/// A receiver that never answers: it accepts every connection on 127.0.0.1, keeps it open and
/// sends nothing, as a hung webhook receiver does. Counts the connections it accepted, and the
/// ones still open (not closed by the peer). Stop (or destruction) closes them all.
class SilentServer
{
public:
	SilentServer();
	~SilentServer();

	SilentServer(const SilentServer&) = delete;
	SilentServer& operator=(const SilentServer&) = delete;

	std::string url(const std::string& path = "/hook") const;
		/// http://127.0.0.1:<port><path>
	std::size_t accepted() const;
	std::size_t open() const;
		/// Connections accepted and not closed by the peer yet.
	void stop();

private:
	void run();

	Poco::Net::ServerSocket _socket;
	std::atomic<bool> _stopping{false};
	mutable std::mutex _mutex;
	mutable std::vector<Poco::Net::StreamSocket> _connections;
	std::size_t _accepted = 0;
	std::thread _thread;
};

} } // namespace Hookgate::Test

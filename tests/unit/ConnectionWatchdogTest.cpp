#include "gateway/core/Metrics.h"
#include "gateway/api/ConnectionLimiter.h"
#include "gateway/api/ConnectionWatchdog.h"

#include <catch2/catch.hpp>

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <thread>

using namespace Hookgate;

namespace {

/// Both ends of one loopback connection; the client end from `from`.
struct Pair
{
	Poco::Net::StreamSocket client;
	Poco::Net::StreamSocket server;
};

Pair connect(Poco::Net::ServerSocket& listener, const std::string& from = "127.0.0.1")
{
	Pair pair{Poco::Net::StreamSocket(Poco::Net::SocketAddress::IPv4), {}};
	pair.client.impl()->bind(Poco::Net::SocketAddress(from, 0), false);
	pair.client.connect(Poco::Net::SocketAddress("127.0.0.1", listener.address().port()));
	pair.server = listener.acceptConnection();
	return pair;
}

} // namespace

TEST_CASE("A deadline wakes a thread blocked in recv however the bytes trickle, and a disarmed one never fires", "[http]")
{
	Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
	ConnectionWatchdog watchdog;
	Pair pair = connect(listener);
	pair.server.setReceiveTimeout(Poco::Timespan(10, 0));
	std::atomic<bool> expired{false};
	// The client sends a byte every 50 ms from a thread of its own: each would restart a
	// per-read timeout. (After the shutdown a read still hands out a byte that is waiting; it
	// returns 0 once none is, which for a trickle is at once.)
	std::atomic<bool> stop{false};
	std::thread sender([&] {
		for (int i = 0; i < 200 && !stop; ++i)
		{
			try
			{
				pair.client.sendBytes("x", 1);
			}
			catch (...)
			{
				return;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	});
	const Poco::Timestamp start;
	std::size_t received = 0;
	{
		ConnectionWatchdog::Deadline deadline(watchdog, pair.server, Poco::Timespan(0, 300000), expired);
		while (true)
		{
			char byte = 0;
			const int n = pair.server.receiveBytes(&byte, 1);
			if (n <= 0) break;
			received += static_cast<std::size_t>(n);
		}
	}
	const double seconds = static_cast<double>(start.elapsed()) / 1e6;
	stop = true;
	sender.join();
	CHECK(expired);
	CHECK(seconds >= 0.3);
	CHECK(seconds < 5.0);
	CHECK(received > 0);

	Pair other = connect(listener);
	std::atomic<bool> untouched{false};
	{
		ConnectionWatchdog::Deadline deadline(watchdog, other.server, Poco::Timespan(0, 100000), untouched);
	}
	other.server.setReceiveTimeout(Poco::Timespan(0, 400000));
	other.client.sendBytes("y", 1);
	char byte = 0;
	CHECK(other.server.receiveBytes(&byte, 1) == 1);
	CHECK_THROWS_AS(other.server.receiveBytes(&byte, 1), Poco::TimeoutException);  // still open for reading
	CHECK_FALSE(untouched);
}

TEST_CASE("Connections are capped per client address and in all, and an ended one frees its place", "[http]")
{
	Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
	Metrics metrics;
	Poco::AutoPtr<ConnectionLimiter> limiter(new ConnectionLimiter(3, 2, metrics, Poco::Logger::get("test")));
	Pair a1 = connect(listener, "127.0.0.2");
	Pair a2 = connect(listener, "127.0.0.2");
	Pair a3 = connect(listener, "127.0.0.2");
	Pair b1 = connect(listener, "127.0.0.3");
	Pair c1 = connect(listener, "127.0.0.4");
	CHECK(limiter->accept(a1.server));
	CHECK(limiter->accept(a2.server));
	CHECK_FALSE(limiter->accept(a3.server));  // its client has 2
	CHECK(limiter->accept(b1.server));
	CHECK_FALSE(limiter->accept(c1.server));  // 3 in all
	limiter->connectionEnded(a1.server);
	CHECK(limiter->accept(c1.server));
	CHECK_FALSE(limiter->accept(a3.server));  // 3 in all again
	limiter->connectionEnded(b1.server);
	CHECK(limiter->accept(a3.server));        // 127.0.0.2 has 2 again (a2, a3)
	const std::string text = metrics.render(QueueSummary{}, 0);
	CHECK(text.find("hookgate_http_connections_open 3\n") != std::string::npos);
	CHECK(text.find("hookgate_http_connections_refused_total 3\n") != std::string::npos);
}

// Issue 14 (part 1): one client's idle or trickling connections cost only that client. The
// attacker's sockets come from other loopback addresses (127.0.0.2 ... 127.0.0.4) than the
// normal client's (127.0.0.1), as two hosts would.

#include "ApiClient.h"
#include "GatewayProcess.h"
#include "PrometheusText.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace Hookgate::Test;

namespace {

/// A connection from `from` (a loopback address of its own) to the gateway.
Poco::Net::StreamSocket connectFrom(const std::string& from, Poco::UInt16 port)
{
	Poco::Net::StreamSocket socket(Poco::Net::SocketAddress::IPv4);
	socket.impl()->bind(Poco::Net::SocketAddress(from, 0), false);
	socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
	return socket;
}

/// Reads until the peer closes (true) or `deadline` passes (false); what came is in `text`.
bool readUntilClosed(Poco::Net::StreamSocket& socket, const Poco::Timespan& deadline, std::string& text)
{
	socket.setReceiveTimeout(Poco::Timespan(0, 100000));
	const Poco::Timestamp start;
	while (!start.isElapsed(deadline.totalMicroseconds()))
	{
		char buffer[4096];
		try
		{
			const int n = socket.receiveBytes(buffer, sizeof buffer);
			if (n <= 0) return true;
			text.append(buffer, static_cast<std::size_t>(n));
		}
		catch (const Poco::TimeoutException&)
		{
		}
		catch (const Poco::Net::NetException&)
		{
			return true;  // reset
		}
	}
	return false;
}

double metric(const ApiClient& api, const std::string& name)
{
	const ApiResponse response = api.get("/metrics");
	REQUIRE(response.status == 200);
	const PrometheusText text = PrometheusText::parse(response.body);
	INFO(text.errorText());
	REQUIRE(text.ok());
	const auto value = text.value(name);
	REQUIRE(value);
	return *value;
}

} // namespace

TEST_CASE("Idle and trickling connections of one client leave every other client's requests answered at once", "[e2e][http][hostile]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.http.maxConnectionsPerClient", "16"}, {"hookgate.http.headerTimeout", "4s"},
		{"hookgate.http.keepAliveTimeout", "1s"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");

	// 200 idle connections and 50 that trickle one byte every 300 ms, all from 127.0.0.2.
	std::vector<Poco::Net::StreamSocket> idle;
	for (int i = 0; i < 200; ++i) idle.push_back(connectFrom("127.0.0.2", gateway.port()));
	std::vector<Poco::Net::StreamSocket> trickling;
	for (int i = 0; i < 50; ++i) trickling.push_back(connectFrom("127.0.0.2", gateway.port()));
	std::atomic<bool> stop{false};
	std::thread trickler([&] {
		const std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(200, 'x') + "\r\n\r\n";
		for (std::size_t at = 0; at < head.size() && !stop; ++at)
		{
			for (auto& socket : trickling)
			{
				try
				{
					socket.sendBytes(head.data() + at, 1);
				}
				catch (...)
				{
					// refused or cut off
				}
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(300));
		}
	});
	struct Join
	{
		std::atomic<bool>& stop;
		std::thread& thread;
		~Join()
		{
			stop = true;
			thread.join();
		}
	} join{stop, trickler};

	// The other client (127.0.0.1) is served as if nobody else were there: well within the
	// header deadline that the attacker's accepted connections hold their threads for.
	const std::string event = R"({"type":"customer.created","data":{"n":1}})";
	double slowest = 0;
	for (int i = 0; i < 20; ++i)
	{
		for (const std::string what : {"health", "get", "ingest"})
		{
			const Poco::Timestamp start;
			ApiResponse response;
			INFO(what << " #" << i);
			REQUIRE_NOTHROW(response = what == "health" ? api.get("/health")
				: what == "get" ? api.get("/api/v1/accounts/acme") : api.post("/api/v1/accounts/acme/events", event));
			const double seconds = static_cast<double>(start.elapsed()) / 1e6;
			slowest = std::max(slowest, seconds);
			INFO(what << " #" << i << " -> " << response.describe() << " in " << seconds << " s");
			CHECK(response.status == (what == "ingest" ? 202 : 200));
		}
	}
	INFO("slowest normal request: " << slowest << " s");
	CHECK(slowest < 2.0);

	// The connections past the per-client cap were refused, and the log says who was.
	CHECK(metric(api, "hookgate_http_connections_refused_total") >= 250 - 16);
	CHECK(gateway.log().find("refused a connection from 127.0.0.2: it has 16 connections open, "
							 "hookgate.http.maxConnectionsPerClient is 16") != std::string::npos);
	// The 16 that were let in are cut off at the header deadline, trickling or not.
	CHECK(waitUntil([&] { return metric(api, "hookgate_http_connections_timed_out_total") >= 16; }, Poco::Timespan(20, 0)));
	CHECK(waitUntil([&] { return metric(api, "hookgate_http_connections_open") <= 2; }, Poco::Timespan(20, 0)));
	// Once they are gone, that client may connect again.
	std::string answer;
	CHECK_NOTHROW([&] {
		Poco::Net::StreamSocket again = connectFrom("127.0.0.2", gateway.port());
		const std::string health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
		again.sendBytes(health.data(), static_cast<int>(health.size()));
		readUntilClosed(again, Poco::Timespan(10, 0), answer);
	}());
	INFO(answer);
	CHECK(answer.compare(0, 15, "HTTP/1.1 200 OK") == 0);
}

TEST_CASE("A request head that trickles past the header deadline gets 408 and its connection is closed", "[e2e][http][hostile]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.http.headerTimeout", "2s"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	// One byte every 200 ms: each byte would restart a per-read timeout; the deadline is whole.
	Poco::Net::StreamSocket socket = connectFrom("127.0.0.3", gateway.port());
	const std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(400, 'x') + "\r\n\r\n";
	const Poco::Timestamp start;
	std::string text;
	bool closed = false;
	for (std::size_t at = 0; at < head.size() && !closed; ++at)
	{
		try
		{
			socket.sendBytes(head.data() + at, 1);
		}
		catch (const Poco::Exception&)
		{
			break;
		}
		closed = readUntilClosed(socket, Poco::Timespan(0, 200000), text);
	}
	if (!closed) closed = readUntilClosed(socket, Poco::Timespan(10, 0), text);
	const double seconds = static_cast<double>(start.elapsed()) / 1e6;
	INFO("after " << seconds << " s:\n" << text);
	CHECK(closed);
	CHECK(seconds >= 2.0);
	CHECK(text.compare(0, 12, "HTTP/1.1 408") == 0);
	const auto body = text.find("\r\n\r\n");
	REQUIRE(body != std::string::npos);
	Poco::JSON::Object::Ptr json = Poco::JSON::Parser().parse(text.substr(body + 4)).extract<Poco::JSON::Object::Ptr>();
	CHECK(json->getObject("error")->getValue<std::string>("code") == "request_timeout");
	CHECK(json->getObject("error")->getValue<std::string>("message").find("hookgate.http.headerTimeout (2s)") != std::string::npos);
	CHECK(metric(api, "hookgate_http_connections_timed_out_total") == 1);
}

TEST_CASE("A body that does not arrive within the body deadline ends its connection, and an idle keep-alive connection is closed", "[e2e][http][hostile]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.http.bodyTimeout", "2s"}, {"hookgate.http.keepAliveTimeout", "1s"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");

	Poco::Net::StreamSocket slow = connectFrom("127.0.0.4", gateway.port());
	const std::string head = "POST /api/v1/accounts/acme/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
		GatewayProcess::ADMIN_TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"type\":";
	slow.sendBytes(head.data(), static_cast<int>(head.size()));
	const Poco::Timestamp start;
	std::string text;
	bool closed = false;
	for (int i = 0; i < 100 && !closed; ++i)
	{
		try
		{
			slow.sendBytes(" ", 1);
		}
		catch (const Poco::Exception&)
		{
			break;
		}
		closed = readUntilClosed(slow, Poco::Timespan(0, 200000), text);
	}
	const double seconds = static_cast<double>(start.elapsed()) / 1e6;
	INFO("after " << seconds << " s:\n" << text);
	CHECK(closed);
	CHECK(seconds < 12.0);  // not the 20 s the trickle would take
	CHECK(metric(api, "hookgate_http_connections_timed_out_total") == 1);
	CHECK(gateway.log().find("client 127.0.0.4:") != std::string::npos);
	CHECK(gateway.log().find("cut off: the request body was not complete within hookgate.http.bodyTimeout (2s)") != std::string::npos);

	// A keep-alive connection that goes quiet after its request is closed after keepAliveTimeout.
	Poco::Net::StreamSocket quiet = connectFrom("127.0.0.5", gateway.port());
	const std::string health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	quiet.sendBytes(health.data(), static_cast<int>(health.size()));
	std::string answer;
	const Poco::Timestamp idleStart;
	CHECK(readUntilClosed(quiet, Poco::Timespan(10, 0), answer));
	INFO(answer);
	CHECK(answer.compare(0, 15, "HTTP/1.1 200 OK") == 0);
	CHECK(static_cast<double>(idleStart.elapsed()) / 1e6 >= 1.0);
}

TEST_CASE("A client that goes on trickling bytes after its request was refused is closed at once", "[e2e][http][hostile]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.http.headerTimeout", "1s"}});
	gateway.start();
	// The head never ends, so it is refused at the header deadline (408); the gateway then reads
	// a little of what still comes before it closes, but not for as long as a trickle lasts.
	Poco::Net::StreamSocket socket = connectFrom("127.0.0.6", gateway.port());
	const std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ";
	socket.sendBytes(head.data(), static_cast<int>(head.size()));
	const Poco::Timestamp start;
	std::string text;
	bool closed = false;
	for (int i = 0; i < 300 && !closed; ++i)  // a byte every 100 ms, 30 s at most
	{
		try
		{
			socket.sendBytes("a", 1);
		}
		catch (const Poco::Exception&)
		{
			closed = true;  // reset: closed
			break;
		}
		closed = readUntilClosed(socket, Poco::Timespan(0, 100000), text);
	}
	const double seconds = static_cast<double>(start.elapsed()) / 1e6;
	INFO("after " << seconds << " s:\n" << text.substr(0, 300));
	CHECK(closed);
	CHECK(seconds < 5.0);  // the 1 s deadline and a bounded drain, not the 30 s of the trickle
	CHECK(text.compare(0, 12, "HTTP/1.1 408") == 0);
}

#include "transports/HTTPTransport.h"

#include "HTTPRawServer.h"
#include "HTTPTestCertificates.h"
#include "HTTPTestServer.h"
#include "TransportTestSupport.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NumberFormatter.h>
#include <Poco/Timestamp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

using Hookgate::DeliveryOutcome;
using Hookgate::DeliveryRequest;
using Hookgate::HTTPTransport;
using Hookgate::Test::HTTPRawServer;
using Hookgate::Test::HTTPRecordedRequest;
using Hookgate::Test::HTTPScriptedResponse;
using Hookgate::Test::HTTPTestCertificates;
using Hookgate::Test::HTTPTestServer;
using Hookgate::Test::port;

namespace {

const Poco::Timespan DEADLINE(5, 0);

/// Options for test servers on loopback.
HTTPTransport::Options loopbackOptions()
{
	HTTPTransport::Options options;
	options.allowPrivateDestinations = true;
	return options;
}

/// Options for TLS test servers on loopback whose certificates the throwaway test CA signed.
HTTPTransport::Options testCAOptions()
{
	HTTPTransport::Options options = loopbackOptions();
	options.caFile = HTTPTestCertificates::instance().caFile();
	return options;
}

DeliveryRequest post(const std::string& url, const std::string& body = "{\"id\":\"msg_1\"}")
{
	DeliveryRequest request;
	request.target = url;
	request.body = body;
	request.timeout = Poco::Timespan(5, 0);
	return request;
}

HTTPScriptedResponse answer(int status, const std::string& body = std::string(), std::vector<std::pair<std::string, std::string>> headers = {})
{
	HTTPScriptedResponse response;
	response.status = status;
	response.body = body;
	response.headers = std::move(headers);
	return response;
}

} // namespace

TEST_CASE("A delivery POSTs the body exactly, with content type, user agent and custom headers in order", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok"));
	HTTPTransport transport(loopbackOptions());

	DeliveryRequest request = post(server.url("/hooks/in?account=acme&x=%20y"), std::string("{\"a\":\"\xc3\xa4\\n\",\"b\":[1,2]}\r\n"));
	request.contentType = "application/json; charset=utf-8";
	request.headers = {
		{"webhook-id", "msg_2Lq"},
		{"webhook-timestamp", "1700000000"},
		{"webhook-signature", "v1,abc= v1,def="},
		{"Ocp-Apim-Subscription-Key", "s3cr3t"},
	};
	const DeliveryOutcome outcome = transport.deliver(request);
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Succeeded);
	CHECK(outcome.error.empty());

	REQUIRE(server.requestCount() == 1);
	const HTTPRecordedRequest received = server.requests().front();
	CHECK(received.method == "POST");
	CHECK(received.uri == "/hooks/in?account=acme&x=%20y");
	CHECK(received.body == request.body);
	CHECK(received.header("Content-Type") == "application/json; charset=utf-8");
	CHECK(received.header("Content-Length") == std::to_string(request.body.size()));
	CHECK(received.header("User-Agent") == std::string("hookgate/") + HOOKGATE_VERSION);
	CHECK(received.header("Host") == "127.0.0.1:" + port(server.port()));

	// Content-Type, then User-Agent, then the request's headers in their order, at the end.
	std::vector<std::string> names;
	for (const auto& h: received.headers)
		names.push_back(h.first);
	const auto at = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) - names.begin(); };
	CHECK(at("Content-Type") < at("User-Agent"));
	REQUIRE(received.headers.size() >= 4);
	const std::vector<std::pair<std::string, std::string>> tail(received.headers.end() - 4, received.headers.end());
	CHECK(tail == request.headers);
	CHECK(at("User-Agent") < at("webhook-id"));
}

TEST_CASE("A 2xx answer is a success that carries the status code and body", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(201, "{\"received\":true}"));
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url()));
	OUTCOME_INFO(outcome);
	CHECK(outcome.succeeded());
	CHECK(outcome.responseCode == 201);
	CHECK(outcome.responseBody == "{\"received\":true}");
	CHECK(outcome.error.empty());
	CHECK_FALSE(outcome.retryAfter.has_value());
	CHECK(outcome.duration > 0);
	CHECK(outcome.duration < DEADLINE);
}

TEST_CASE("A 204 answer without a body succeeds and keeps the connection for the next delivery", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(204));
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome first = transport.deliver(post(server.url()));
	OUTCOME_INFO(first);
	CHECK(first.succeeded());
	CHECK(first.responseCode == 204);
	CHECK(first.responseBody.empty());
	CHECK(transport.idleConnections() == 1);

	const DeliveryOutcome second = transport.deliver(post(server.url()));
	CHECK(second.succeeded());
	CHECK(server.requestCount() == 2);
	CHECK(server.clientPorts().size() == 1);
}

TEST_CASE("A 500 answer is transient with its code and body, and a 10 KiB body is cut to 4 KiB", "[http]")
{
	HTTPTestServer server;
	std::string big;
	for (int i = 0; big.size() < 10 * 1024; ++i)
		big += "line " + std::to_string(i) + " of the error page\n";
	big.resize(10 * 1024);
	server.respond(answer(500, big));
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url()));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 500);
	CHECK(outcome.error == "HTTP 500 Internal Server Error");
	CHECK(outcome.responseBody.size() == 4096);
	CHECK(outcome.responseBody == big.substr(0, 4096));

	// The rest was drained, so the connection is reused.
	server.respond(answer(500, "short", {}));
	const DeliveryOutcome second = transport.deliver(post(server.url()));
	CHECK(second.responseBody == "short");
	CHECK(server.clientPorts().size() == 1);
}

TEST_CASE("A non-2xx answer names its status and the server's reason", "[http]")
{
	HTTPTestServer server;
	HTTPScriptedResponse custom = answer(503, "down");
	custom.reason = "Maintenance Window";
	server.respond(custom);
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome unavailable = transport.deliver(post(server.url()));
	CHECK(unavailable.kind == DeliveryOutcome::Kind::Transient);
	CHECK(unavailable.responseCode == 503);
	CHECK(unavailable.error == "HTTP 503 Maintenance Window");

	server.respond(answer(404, "no such hook"));
	const DeliveryOutcome notFound = transport.deliver(post(server.url()));
	CHECK(notFound.kind == DeliveryOutcome::Kind::Transient);
	CHECK(notFound.responseCode == 404);
	CHECK(notFound.error == "HTTP 404 Not Found");
	CHECK(notFound.responseBody == "no such hook");
}

TEST_CASE("A 302 redirect is not followed", "[http]")
{
	HTTPTestServer server;
	const std::string elsewhere = server.url("/elsewhere");
	server.respond([elsewhere](const HTTPRecordedRequest& request)
	{
		return request.uri == "/elsewhere" ? answer(200, "followed") : answer(302, "", {{"Location", elsewhere}});
	});
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url("/start")));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 302);
	CHECK(outcome.error == "redirect to " + elsewhere + " not followed");
	// deliver() is synchronous: a followed redirect would have been received by now.
	REQUIRE(server.requestCount() == 1);
	CHECK(server.requests().front().uri == "/start");
}

TEST_CASE("A 429 answer with Retry-After in seconds sets retryAfter", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(429, "slow down", {{"Retry-After", "7"}}));
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url()));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 429);
	CHECK(outcome.error == "HTTP 429 Too Many Requests");
	REQUIRE(outcome.retryAfter.has_value());
	CHECK(*outcome.retryAfter == Poco::Timespan(7, 0));
}

TEST_CASE("Retry-After as an HTTP date gives the time until then", "[http]")
{
	HTTPTestServer server;
	Poco::Timestamp then;
	then += Poco::Timespan(120, 0).totalMicroseconds();
	server.respond(answer(503, "", {{"Retry-After", Poco::DateTimeFormatter::format(then, Poco::DateTimeFormat::HTTP_FORMAT)}}));
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url()));
	REQUIRE(outcome.retryAfter.has_value());
	CHECK(outcome.retryAfter->totalSeconds() > 110);
	CHECK(outcome.retryAfter->totalSeconds() <= 120);

	server.respond(answer(503, "", {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}));
	const DeliveryOutcome past = transport.deliver(post(server.url()));
	REQUIRE(past.retryAfter.has_value());
	CHECK(*past.retryAfter == Poco::Timespan(0));

	server.respond(answer(503, "", {{"Retry-After", "soon"}}));
	CHECK_FALSE(transport.deliver(post(server.url())).retryAfter.has_value());
}

TEST_CASE("A receiver slower than the timeout gives a transient timeout and the connection is dropped", "[http]")
{
	HTTPTestServer server;
	HTTPScriptedResponse slow = answer(200, "too late");
	slow.hold = Poco::Timespan(10, 0);  // until released at the end of the test
	server.respond(slow);
	HTTPTransport transport(loopbackOptions());

	DeliveryRequest request = post(server.url());
	request.timeout = Poco::Timespan(0, 300 * 1000);
	const DeliveryOutcome outcome = transport.deliver(request);
	server.release();
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "timeout after 300 ms");
	CHECK(outcome.duration.totalMilliseconds() >= 290);
	CHECK(outcome.duration.totalMilliseconds() < 5000);
	CHECK(transport.idleConnections() == 0);
}

TEST_CASE("A refused connection is transient", "[http]")
{
	Poco::UInt16 freePort = 0;
	{
		Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
		freePort = probe.address().port();
	}
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post("http://127.0.0.1:" + port(freePort) + "/"));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "connection refused by 127.0.0.1:" + port(freePort));
}

TEST_CASE("Two consecutive deliveries to the same server reuse one TCP connection", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok"));
	HTTPTransport transport(loopbackOptions());

	CHECK(transport.deliver(post(server.url("/a"))).succeeded());
	CHECK(transport.idleConnections() == 1);
	CHECK(transport.deliver(post(server.url("/b"))).succeeded());
	CHECK(transport.idleConnections() == 1);

	REQUIRE(server.requestCount() == 2);
	const auto requests = server.requests();
	CHECK(requests[0].client.port() == requests[1].client.port());
}

TEST_CASE("Without idle connections allowed every delivery opens a new connection", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok"));
	HTTPTransport::Options options = loopbackOptions();
	options.maxIdlePerHost = 0;
	HTTPTransport transport(options);

	CHECK(transport.deliver(post(server.url())).succeeded());
	CHECK(transport.deliver(post(server.url())).succeeded());
	CHECK(transport.idleConnections() == 0);
	CHECK(server.clientPorts().size() == 2);
}

TEST_CASE("A connection the server closes with Connection: close is not reused", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok", {{"Connection", "close"}}));
	HTTPTransport transport(loopbackOptions());

	CHECK(transport.deliver(post(server.url())).succeeded());
	CHECK(transport.idleConnections() == 0);
	CHECK(transport.deliver(post(server.url())).succeeded());
	CHECK(server.clientPorts().size() == 2);
}

TEST_CASE("Connections to different ports are kept apart", "[http]")
{
	HTTPTestServer one;
	HTTPTestServer two;
	one.respond(answer(200, "one"));
	two.respond(answer(200, "two"));
	HTTPTransport transport(loopbackOptions());

	CHECK(transport.deliver(post(one.url())).responseBody == "one");
	CHECK(transport.deliver(post(two.url())).responseBody == "two");
	CHECK(transport.deliver(post(one.url())).responseBody == "one");
	CHECK(transport.idleConnections() == 2);
	CHECK(one.clientPorts().size() == 1);
	CHECK(two.clientPorts().size() == 1);
}

TEST_CASE("A private destination is refused permanently and no connection is made", "[http]")
{
	// A listening socket that never accepts: a connection attempt would be queued on it.
	Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
	const std::string portText = port(listener.address().port());
	HTTPTransport transport(HTTPTransport::Options{});  // allowPrivateDestinations = false

	const DeliveryOutcome outcome = transport.deliver(post("http://127.0.0.1:" + portText + "/hook"));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "destination 127.0.0.1 resolves to private address 127.0.0.1 (127.0.0.0/8 Loopback, RFC 1122); refused by hookgate.security.allowPrivateDestinations=false");
	// Loopback connect() completes in the kernel before it returns: nothing is pending.
	CHECK_FALSE(listener.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ));

	const DeliveryOutcome byName = transport.deliver(post("http://localhost:" + portText + "/hook"));
	CHECK(byName.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(byName.error.compare(0, 50, "destination localhost resolves to private address ") == 0);

	const DeliveryOutcome ipv6 = transport.deliver(post("http://[::1]:" + portText + "/hook"));
	CHECK(ipv6.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(ipv6.error == "destination ::1 resolves to private address ::1 (::1/128 Loopback Address, RFC 4291); refused by hookgate.security.allowPrivateDestinations=false");

	const DeliveryOutcome mapped = transport.deliver(post("https://[::ffff:127.0.0.1]:" + portText + "/hook"));
	CHECK(mapped.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(mapped.error == "destination ::ffff:127.0.0.1 resolves to private address ::ffff:127.0.0.1 (::ffff:0:0/96 IPv4-mapped Address, RFC 4291); refused by hookgate.security.allowPrivateDestinations=false");

	CHECK_FALSE(listener.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ));
}

TEST_CASE("The Host header names the URL's host and port while the connection goes to the resolved address", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok"));
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post("http://localhost:" + port(server.port()) + "/x"));
	OUTCOME_INFO(outcome);
	CHECK(outcome.succeeded());
	REQUIRE(server.requestCount() == 1);
	const HTTPRecordedRequest received = server.requests().front();
	CHECK(received.header("Host") == "localhost:" + port(server.port()));
	CHECK(received.uri == "/x");
}

TEST_CASE("The request target keeps the URL's path and query as written", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok"));
	HTTPTransport transport(loopbackOptions());

	CHECK(transport.deliver(post("http://127.0.0.1:" + port(server.port()))).succeeded());
	CHECK(transport.deliver(post("http://127.0.0.1:" + port(server.port()) + "?q=1")).succeeded());
	CHECK(transport.deliver(post(server.url("/a%2Fb/c%20d?x=%26&y=1"))).succeeded());
	REQUIRE(server.requestCount() == 3);
	const auto requests = server.requests();
	CHECK(requests[0].uri == "/");
	CHECK(requests[1].uri == "/?q=1");
	CHECK(requests[2].uri == "/a%2Fb/c%20d?x=%26&y=1");
}

TEST_CASE("Invalid URLs are permanent failures and make no connection", "[http]")
{
	HTTPTransport transport(loopbackOptions());
	struct Case { std::string url; std::string error; };
	const Case cases[] = {
		{"ftp://example.com/x", "invalid URL \"ftp://example.com/x\": the scheme must be http or https"},
		{"example.com/hook", "invalid URL \"example.com/hook\": the scheme must be http or https"},
		{"", "invalid URL \"\": the scheme must be http or https"},
		{"http:///hook", "invalid URL \"http:///hook\": no host"},
		{"http://user:pw@example.com/", "invalid URL \"http://user:pw@example.com/\": credentials in the URL are not supported (use an authorization header)"},
		{"http://example.com/a b", "invalid URL \"http://example.com/a b\": contains a space at character 21; spaces, control and non-ASCII characters and \"<>\\^`{|} must be percent-encoded"},
		{"http://example.com/x#part", "invalid URL \"http://example.com/x#part\": a #fragment is not sent to a receiver; remove it"},
	};
	for (const Case& c: cases)
	{
		const DeliveryOutcome outcome = transport.deliver(post(c.url));
		INFO(c.url);
		CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
		CHECK(outcome.error == c.error);
		CHECK(outcome.responseCode == 0);
	}
	const DeliveryOutcome badPort = transport.deliver(post("http://example.com:99999/"));
	CHECK(badPort.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(badPort.error.compare(0, 37, "invalid URL \"http://example.com:99999") == 0);
}

TEST_CASE("Headers that would break the request are permanent failures", "[http]")
{
	HTTPTestServer server;
	HTTPTransport transport(loopbackOptions());

	DeliveryRequest injected = post(server.url());
	injected.headers = {{"X-Key", "a\r\nX-Evil: 1"}};
	const DeliveryOutcome first = transport.deliver(injected);
	CHECK(first.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(first.error == "invalid value for header X-Key: contains the control character U+000D at character 2");

	DeliveryRequest badName = post(server.url());
	badName.headers = {{"Bad Name", "x"}};
	CHECK(transport.deliver(badName).error == "invalid header: 'Bad Name' is not a valid HTTP header name: a space at character 4; letters, digits and !#$%&'*+-.^_`|~ only");

	DeliveryRequest vt = post(server.url());
	vt.headers = {{"X-Key", "a\x0b" "b"}};
	CHECK(transport.deliver(vt).error == "invalid value for header X-Key: contains the control character U+000B at character 2");

	DeliveryRequest host = post(server.url());
	host.headers = {{"host", "evil.example.com"}};
	CHECK(transport.deliver(host).error == "header host is set by the transport and cannot be overridden");

	DeliveryRequest contentType = post(server.url());
	contentType.contentType = "application/json\r\nX-Evil: 1";
	CHECK(transport.deliver(contentType).error == "invalid value for header Content-Type: contains the control character U+000D at character 17");

	CHECK(server.requestCount() == 0);
}

TEST_CASE("A host that cannot be resolved is a transient failure", "[http]")
{
	HTTPTransport transport(HTTPTransport::Options{});
	const DeliveryOutcome outcome = transport.deliver(post("http://nonexistent.invalid/hook"));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error.compare(0, 41, "cannot resolve host nonexistent.invalid: ") == 0);
}

TEST_CASE("A reused connection that the server closed is retried once on a fresh connection", "[http]")
{
	std::atomic<int> requests{0};
	HTTPRawServer server([&](HTTPRawServer& self)
	{
		Poco::Net::StreamSocket first = self.accept(DEADLINE);
		if (HTTPRawServer::readRequest(first, DEADLINE).empty()) return;
		++requests;
		HTTPRawServer::send(first, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
		// The second request arrives on the kept connection; close it unanswered,
		// as a server does whose idle timeout races with the client.
		if (HTTPRawServer::readRequest(first, DEADLINE).empty()) return;
		++requests;
		first.close();
		Poco::Net::StreamSocket second = self.accept(DEADLINE);
		if (HTTPRawServer::readRequest(second, DEADLINE).empty()) return;
		++requests;
		HTTPRawServer::send(second, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
	});
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome first = transport.deliver(post(server.url()));
	CHECK(first.responseBody == "one");
	const DeliveryOutcome second = transport.deliver(post(server.url()));
	OUTCOME_INFO(second);
	CHECK(second.succeeded());
	CHECK(second.responseBody == "two");
	server.join();
	CHECK(server.error() == "");
	CHECK(requests == 3);
}

TEST_CASE("A fresh connection closed without an answer is not retried", "[http]")
{
	std::atomic<int> connections{0};
	HTTPRawServer server([&](HTTPRawServer& self)
	{
		Poco::Net::StreamSocket socket = self.accept(DEADLINE);
		++connections;
		HTTPRawServer::readRequest(socket, DEADLINE);
		socket.close();
		// A retry would connect again within the deadline.
		try
		{
			self.accept(Poco::Timespan(0, 500 * 1000));
			++connections;
		}
		catch (Poco::TimeoutException&)
		{
		}
	});
	HTTPTransport transport(loopbackOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url()));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "connection closed by 127.0.0.1:" + port(server.port()) + " before a response was received");
	server.join();
	CHECK(connections == 1);
}

TEST_CASE("A connection the server closed while idle does not fail the next delivery", "[http]")
{
	HTTPRawServer server([&](HTTPRawServer& self)
	{
		Poco::Net::StreamSocket first = self.accept(DEADLINE);
		HTTPRawServer::readRequest(first, DEADLINE);
		HTTPRawServer::send(first, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
		first.shutdownSend();  // FIN while the client holds the connection idle
		Poco::Net::StreamSocket second = self.accept(DEADLINE);
		HTTPRawServer::readRequest(second, DEADLINE);
		HTTPRawServer::send(second, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
		HTTPRawServer::readRequest(first, DEADLINE);  // until the client closes the first
	});
	HTTPTransport transport(loopbackOptions());

	CHECK(transport.deliver(post(server.url())).responseBody == "one");
	// Whether the FIN is seen while idle (dropped) or only after sending (retried), the delivery succeeds.
	const DeliveryOutcome second = transport.deliver(post(server.url()));
	OUTCOME_INFO(second);
	CHECK(second.succeeded());
	CHECK(second.responseBody == "two");
	server.join();
	CHECK(server.error() == "");
}

TEST_CASE("Several workers deliver at once through one transport and share its connections", "[http]")
{
	HTTPTestServer server;
	server.respond(answer(200, "ok"));
	HTTPTransport transport(loopbackOptions());

	const int workers = 4;
	const int perWorker = 25;
	std::atomic<int> succeeded{0};
	std::vector<std::thread> threads;
	for (int w = 0; w < workers; ++w)
	{
		threads.emplace_back([&, w]()
		{
			for (int i = 0; i < perWorker; ++i)
			{
				DeliveryRequest request = post(server.url("/w" + std::to_string(w)), "{\"i\":" + std::to_string(i) + "}");
				if (transport.deliver(request).succeeded())
					++succeeded;
			}
		});
	}
	for (auto& t: threads)
		t.join();

	CHECK(succeeded == workers * perWorker);
	CHECK(server.requestCount() == static_cast<std::size_t>(workers * perWorker));
	CHECK(server.clientPorts().size() <= static_cast<std::size_t>(workers));
	CHECK(transport.idleConnections() <= static_cast<std::size_t>(workers));
}

TEST_CASE("HTTPS delivery succeeds when the certificate chains to the configured CA", "[http][tls]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	HTTPTestServer server(certificates.serverContext("localhost"));
	server.respond(answer(200, "secure ok"));
	HTTPTransport transport(testCAOptions());

	DeliveryRequest request = post(server.url("/tls", "localhost"), "{\"secure\":true}");
	request.headers = {{"webhook-id", "msg_tls"}};
	const DeliveryOutcome outcome = transport.deliver(request);
	OUTCOME_INFO(outcome);
	CHECK(outcome.succeeded());
	CHECK(outcome.responseCode == 200);
	CHECK(outcome.responseBody == "secure ok");
	REQUIRE(server.requestCount() == 1);
	const HTTPRecordedRequest received = server.requests().front();
	CHECK(received.body == "{\"secure\":true}");
	CHECK(received.header("Host") == "localhost:" + port(server.port()));
	CHECK(received.header("webhook-id") == "msg_tls");

	// The TLS connection is kept and reused.
	CHECK(transport.deliver(request).succeeded());
	CHECK(server.clientPorts().size() == 1);

	// The certificate also names 127.0.0.1.
	CHECK(transport.deliver(post(server.url("/tls", "127.0.0.1"))).succeeded());
}

TEST_CASE("HTTPS delivery against the system CA bundle fails with a certificate error", "[http][tls]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	HTTPTestServer server(certificates.serverContext("localhost"));
	server.respond(answer(200, "should not get here"));
	HTTPTransport transport(loopbackOptions());  // caFile empty: /etc/ssl/certs/ca-certificates.crt

	const DeliveryOutcome outcome = transport.deliver(post(server.url("/", "localhost")));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "TLS certificate verification failed for localhost: unable to get local issuer certificate (certificate /CN=localhost, depth 0)");
	CHECK(server.requestCount() == 0);
	CHECK(transport.idleConnections() == 0);
}

TEST_CASE("HTTPS refuses a certificate whose name does not match the host", "[http][tls]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	HTTPTestServer server(certificates.serverContext("wrong-name"));
	server.respond(answer(200, "should not get here"));
	HTTPTransport transport(testCAOptions());

	const DeliveryOutcome outcome = transport.deliver(post(server.url("/", "localhost")));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "TLS certificate verification failed for localhost: the certificate is not valid for this host name");

	const DeliveryOutcome byAddress = transport.deliver(post(server.url("/", "127.0.0.1")));
	CHECK(byAddress.kind == DeliveryOutcome::Kind::Transient);
	CHECK(byAddress.error == "TLS certificate verification failed for 127.0.0.1: the certificate is not valid for this host name");
	CHECK(server.requestCount() == 0);
}

TEST_CASE("HTTPS checks the certificate against the URL's host, not the address connected to", "[http][tls]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	HTTPTransport transport(testCAOptions());

	HTTPTestServer dnsOnly(certificates.serverContext("dns-only"));
	dnsOnly.respond(answer(200, "ok"));
	const DeliveryOutcome byName = transport.deliver(post(dnsOnly.url("/", "localhost")));
	OUTCOME_INFO(byName);
	CHECK(byName.succeeded());
	const DeliveryOutcome byAddress = transport.deliver(post(dnsOnly.url("/", "127.0.0.1")));
	CHECK(byAddress.error == "TLS certificate verification failed for 127.0.0.1: the certificate is not valid for this host name");

	HTTPTestServer ipOnly(certificates.serverContext("ip-only"));
	ipOnly.respond(answer(200, "ok"));
	CHECK(transport.deliver(post(ipOnly.url("/", "127.0.0.1"))).succeeded());
	const DeliveryOutcome nameOnIPCertificate = transport.deliver(post(ipOnly.url("/", "localhost")));
	CHECK(nameOnIPCertificate.error == "TLS certificate verification failed for localhost: the certificate is not valid for this host name");
}

TEST_CASE("A missing CA file or a broken user agent stops the transport from being built", "[http][tls]")
{
	HTTPTransport::Options missingCA;
	missingCA.caFile = "/nonexistent/ca.pem";
	CHECK_THROWS_AS(HTTPTransport(missingCA), Poco::FileNotFoundException);

	HTTPTransport::Options brokenAgent;
	brokenAgent.userAgent = "hookgate\r\nX-Evil: 1";
	CHECK_THROWS_AS(HTTPTransport(brokenAgent), Poco::InvalidArgumentException);
}

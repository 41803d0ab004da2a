// Issue 14 (part 2): strict HTTP framing on the API port (RFC 9112 section 6). A request whose
// length cannot be known for sure is refused with the API's JSON error body and its
// connection closed, before any of its bytes reach a handler; an encoded '/' never separates
// path segments. Exact bytes on raw sockets: no client library would send most of these.

#include "ApiClient.h"
#include "GatewayProcess.h"
#include "RawHttp.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberFormatter.h>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(10, 0);

std::string ingest(const std::string& token, const std::string& headers, const std::string& body)
{
	return "POST /api/v1/accounts/acme/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\n" + headers + "\r\n" + body;
}

/// The answer's error code and message, checked to be the API's error body.
std::pair<std::string, std::string> errorOf(const RawHttp::Answer& answer)
{
	Poco::JSON::Object::Ptr body = Poco::JSON::Parser().parse(answer.body()).extract<Poco::JSON::Object::Ptr>();
	REQUIRE(body);
	REQUIRE(body->size() == 1);
	Poco::JSON::Object::Ptr error = body->getObject("error");
	REQUIRE(error);
	return {error->getValue<std::string>("code"), error->getValue<std::string>("message")};
}

struct Refusal
{
	std::string what;
	std::string request;
	int status;
	std::string code;
	std::string mention;  ///< a part of the message
};

} // namespace

TEST_CASE("Requests whose framing is malformed or ambiguous are refused with a JSON error and their connection is closed", "[e2e][http]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"*"});
	const std::string admin = GatewayProcess::ADMIN_TOKEN;
	const std::string event = R"({"type":"customer.created","data":{"n":1}})";
	const std::string length = std::to_string(event.size());
	const std::string chunked = Poco::NumberFormatter::formatHex(event.size()) + "\r\n" + event + "\r\n0\r\n\r\n";

	const std::vector<Refusal> refusals = {
		{"a Content-Length that is no number", ingest(admin, "Content-Length: abc\r\n", event), 400, "bad_request", "Content-Length"},
		{"a Content-Length with an exponent", ingest(admin, "Content-Length: 1e3\r\n", event), 400, "bad_request", "Content-Length"},
		{"a Content-Length past 2^64", ingest(admin, "Content-Length: 18446744073709551616\r\n", event), 400, "bad_request",
			"Content-Length"},
		{"a Content-Length with a sign", ingest(admin, "Content-Length: +" + length + "\r\n", event), 400, "bad_request", "'+" + length + "'"},
		{"two different Content-Lengths", ingest(admin, "Content-Length: " + length + "\r\nContent-Length: 5\r\n", event), 400,
			"bad_request", length + " and 5"},
		{"Content-Length and Transfer-Encoding", ingest(admin, "Content-Length: " + length + "\r\nTransfer-Encoding: chunked\r\n",
			chunked), 400, "bad_request", "Transfer-Encoding"},
		{"a transfer coding other than chunked", ingest(admin, "Transfer-Encoding: gzip\r\n", event), 501,
			"unsupported_transfer_coding", "gzip"},
		{"gzip before chunked", ingest(admin, "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501,
			"unsupported_transfer_coding", "gzip, chunked"},
		{"a header value of 9000 bytes", ingest(admin, "X-Big: " + std::string(9000, 'a') + "\r\nContent-Length: " + length + "\r\n", event),
			431, "header_too_large", "8192"},
		{"101 header fields", ingest(admin, [] {
			std::string h;
			for (int i = 0; i < 101; ++i) h += "X-Field-" + std::to_string(i) + ": x\r\n";
			return h;
		}() + "Content-Length: " + length + "\r\n", event), 431, "header_too_large", "100"},
		{"a request target of 17000 bytes",
			"GET /api/v1/accounts/" + std::string(17000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, "uri_too_long", "16384"},
		{"a method of 40 letters", std::string(40, 'A') + " /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "bad_request",
			"malformed request"},
	};
	for (const Refusal& r : refusals)
	{
		const RawHttp::Answer answer = RawHttp::exchange(gateway.port(), r.request, DEADLINE, true);
		INFO(r.what << "\n--- answer\n" << answer.text.substr(0, 2000));
		CHECK(answer.status == r.status);
		if (answer.status == r.status)
		{
			const auto [code, message] = errorOf(answer);
			CHECK(code == r.code);
			CHECK(message.find(r.mention) != std::string::npos);
			CHECK(answer.text.find("\r\nContent-Type: application/json") != std::string::npos);
		}
		CHECK(answer.closed);
	}

	// Nothing of these was stored; the same connection rules let a well-framed request through,
	// also with two equal Content-Lengths.
	const RawHttp::Answer equal = RawHttp::exchange(gateway.port(),
		ingest(admin, "Content-Length: " + length + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n", event), DEADLINE);
	INFO("two equal Content-Lengths\n" << equal.text);
	CHECK(equal.status == 202);
	const RawHttp::Answer chunkedAnswer = RawHttp::exchange(gateway.port(),
		ingest(admin, "Transfer-Encoding: chunked\r\nConnection: close\r\n", chunked), DEADLINE);
	INFO("chunked\n" << chunkedAnswer.text);
	CHECK(chunkedAnswer.status == 202);
	const ApiResponse deliveries = api.get("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/deliveries");
	INFO("deliveries: " << deliveries.describe());
	REQUIRE(deliveries.status == 200);
	REQUIRE(deliveries.json);
	CHECK(deliveries.json->getArray("items")->size() == 2);

	// A refusal is logged, naming the client and the reason.
	CHECK(gateway.log().find("client 127.0.0.1:") != std::string::npos);
	CHECK(gateway.log().find(": refused a request: 400 bad_request: ") != std::string::npos);
	CHECK(api.get("/health").status == 200);
}

TEST_CASE("An encoded slash inside a path segment never separates segments", "[e2e][http]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	CHECK(api.get("/api/v1/accounts/acme/endpoints").status == 200);
	for (const std::string path : {"/api/v1/accounts/acme%2Fendpoints", "/api/v1/accounts/acme%2fendpoints",
			 "/api%2Fv1/accounts/acme/endpoints", "/api/v1%2Faccounts%2Facme"})
	{
		const ApiResponse response = api.get(path);
		INFO("GET " << path << " -> " << response.describe());
		CHECK(response.status == 404);
	}
}

#include "gateway/api/RequestFraming.h"

#include <catch2/catch.hpp>

#include <Poco/Net/NetException.h>

using Hookgate::ApiError;
using Hookgate::RequestFraming;

namespace {

Poco::Net::HTTPRequest request(const std::vector<std::pair<std::string, std::string>>& headers)
{
	Poco::Net::HTTPRequest r(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/accounts/acme/events", Poco::Net::HTTPMessage::HTTP_1_1);
	for (const auto& [name, value] : headers) r.add(name, value);
	return r;
}

} // namespace

TEST_CASE("Content-Length must be digits that fit in 63 bits, and several of them must agree", "[framing]")
{
	CHECK_FALSE(RequestFraming::check(request({{"Content-Length", "41"}})));
	CHECK_FALSE(RequestFraming::check(request({{"Content-Length", "0"}})));
	CHECK_FALSE(RequestFraming::check(request({{"Content-Length", "9223372036854775807"}})));
	CHECK_FALSE(RequestFraming::check(request({{"Content-Length", "41"}, {"content-length", "41"}})));
	for (const std::string bad : {"abc", "1e3", "-1", "+41", "4 1", "", "9223372036854775808", "18446744073709551616"})
	{
		const auto error = RequestFraming::check(request({{"Content-Length", bad}}));
		INFO("Content-Length: " << bad);
		REQUIRE(error);
		CHECK(error->status() == 400);
		CHECK(error->code() == "bad_request");
	}
	const auto conflict = RequestFraming::check(request({{"Content-Length", "41"}, {"Content-Length", "5"}}));
	REQUIRE(conflict);
	CHECK(conflict->status() == 400);
	CHECK(conflict->message() == "two different Content-Length headers (41 and 5)");
}

TEST_CASE("Transfer-Encoding may only be chunked, and never beside Content-Length", "[framing]")
{
	CHECK_FALSE(RequestFraming::check(request({{"Transfer-Encoding", "chunked"}})));
	CHECK_FALSE(RequestFraming::check(request({{"Transfer-Encoding", "Chunked"}})));
	const auto both = RequestFraming::check(request({{"Content-Length", "41"}, {"Transfer-Encoding", "chunked"}}));
	REQUIRE(both);
	CHECK(both->status() == 400);
	for (const std::string coding : {"gzip", "gzip, chunked", "chunked, chunked", "identity"})
	{
		const auto error = RequestFraming::check(request({{"Transfer-Encoding", coding}}));
		INFO("Transfer-Encoding: " << coding);
		REQUIRE(error);
		CHECK(error->status() == 501);
		CHECK(error->code() == "unsupported_transfer_coding");
	}
	const auto split = RequestFraming::check(request({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}));
	REQUIRE(split);
	CHECK(split->status() == 501);
}

TEST_CASE("A request head Poco cannot read is refused with 414, 431 or 400", "[framing]")
{
	CHECK(RequestFraming::refusal(Poco::Net::MessageException("HTTP request URI invalid or too long")).status() == 414);
	CHECK(RequestFraming::refusal(Poco::Net::MessageException("Too many header fields")).status() == 431);
	CHECK(RequestFraming::refusal(Poco::Net::MessageException("Field name too long/no colon found")).status() == 431);
	CHECK(RequestFraming::refusal(Poco::Net::MessageException("Field value too long/no CRLF found")).status() == 431);
	CHECK(RequestFraming::refusal(Poco::Net::MessageException("Invalid HTTP version string")).status() == 400);
	CHECK(RequestFraming::refusal(Poco::Net::MessageException("No HTTP request URI")).status() == 400);
	const ApiError length = RequestFraming::refusal(Poco::SyntaxException("Not a valid integer", "abc"));
	CHECK(length.status() == 400);
	CHECK(length.code() == "bad_request");
}

TEST_CASE("Path segments are split before they are decoded, so %2F stays inside its segment", "[framing]")
{
	using V = std::vector<std::string>;
	CHECK(RequestFraming::pathSegments("/api/v1/accounts/acme") == V{"api", "v1", "accounts", "acme"});
	CHECK(RequestFraming::pathSegments("/api/v1/accounts/acme%2Fendpoints?x=1") == V{"api", "v1", "accounts", "acme/endpoints"});
	CHECK(RequestFraming::pathSegments("/a//b/#frag") == V{"a", "b"});
	CHECK(RequestFraming::pathSegments("/caf%C3%A9") == V{"caf\xC3\xA9"});
	CHECK(RequestFraming::pathSegments("http://127.0.0.1:8080/api/v1?q") == V{"api", "v1"});
	CHECK(RequestFraming::pathSegments("/") == V{});
	CHECK_THROWS_AS(RequestFraming::pathSegments("/a%zz"), Poco::SyntaxException);
}

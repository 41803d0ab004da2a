#include "transports/HTTPTarget.h"

#include <catch2/catch.hpp>

#include <string>

using Hookgate::HTTPTarget;

namespace {

std::string reason(const std::string& url)
{
	HTTPTarget target;
	return target.parse(url);
}

} // namespace

TEST_CASE("A URL is taken apart into host, port, request target, Host header and pool key", "[http-target]")
{
	HTTPTarget t;
	REQUIRE(t.parse("https://Example.COM/a%2Fb/c?x=%26&y=1") == "");
	CHECK(t.secure);
	CHECK(t.host == "example.com");  // Poco::URI keeps host names in lower case
	CHECK(t.port == 443);
	CHECK(t.pathAndQuery == "/a%2Fb/c?x=%26&y=1");
	CHECK(t.hostHeader == "example.com");
	CHECK(t.poolKey == "https://example.com:443");

	REQUIRE(t.parse("http://[::1]:8080?q=1") == "");
	CHECK_FALSE(t.secure);
	CHECK(t.host == "::1");
	CHECK(t.pathAndQuery == "/?q=1");
	CHECK(t.hostHeader == "[::1]:8080");
	CHECK(t.poolKey == "http://[::1]:8080");

	REQUIRE(t.parse("http://127.0.0.1") == "");
	CHECK(t.pathAndQuery == "/");
	CHECK(t.hostHeader == "127.0.0.1");
}

TEST_CASE("A URL that cannot be sent as written is refused with the reason", "[http-target]")
{
	CHECK(reason("ftp://example.com/x") == "the scheme must be http or https");
	CHECK(reason("example.com/hook") == "the scheme must be http or https");
	CHECK(reason("") == "the scheme must be http or https");
	CHECK(reason("http:///hook") == "no host");
	CHECK(reason("http://user:pw@example.com/") == "credentials in the URL are not supported (use an authorization header)");
	CHECK(reason("http://user@example.com/") == "credentials in the URL are not supported (use an authorization header)");
	CHECK(reason("http://@example.com/") == "credentials in the URL are not supported (use an authorization header)");
	CHECK(reason("http://example.com:0/") == "Bad URI syntax: bad or invalid port number: 0");
	CHECK(reason("http://example.com/x#frag") == "a #fragment is not sent to a receiver; remove it");
	CHECK(reason("http://example.com:99999/").find("99999") != std::string::npos);
	CHECK(reason("http://example.com/" + std::string(2048, 'a')) == "longer than 2048 characters");

	const std::string encode = "; spaces, control and non-ASCII characters and \"<>\\^`{|} must be percent-encoded";
	CHECK(reason("http://example.com/a b") == "contains a space at character 21" + encode);
	CHECK(reason("http://example.com/a\r\nHost: evil") == "contains the control character U+000D at character 21" + encode);
	CHECK(reason("http://example.com/\t") == "contains the control character U+0009 at character 20" + encode);
	CHECK(reason(std::string("http://example.com/\0", 20)) == "contains the control character U+0000 at character 20" + encode);
	CHECK(reason("http://example.com/\x7f") == "contains the control character U+007F at character 20" + encode);
	CHECK(reason("http://exämple.com/") == "contains a non-ASCII character at character 10" + encode);
	CHECK(reason("http://example.com/\xE2\x80\xA8") == "contains a non-ASCII character at character 20" + encode);
	CHECK(reason("http://evil.example\\@good.example/") == "contains '\\' at character 20" + encode);
	CHECK(reason("http://example.com/{x}") == "contains '{' at character 20" + encode);
}

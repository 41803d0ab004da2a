#include "transports/HTTPHeader.h"

#include <catch2/catch.hpp>

#include <string>

using Hookgate::HTTPHeader;

TEST_CASE("A header name is a token of 1 to 256 characters", "[http-header]")
{
	CHECK(HTTPHeader::checkName("X-Api-Key").empty());
	CHECK(HTTPHeader::checkName("Ocp-Apim-Subscription-Key").empty());
	CHECK(HTTPHeader::checkName("x!#$%&'*+-.^_`|~9").empty());
	CHECK(HTTPHeader::checkName(std::string(256, 'a')).empty());
	CHECK(HTTPHeader::checkName(std::string(257, 'a')) == "a header name has 1 to 256 characters, got 257");
	CHECK(HTTPHeader::checkName("") == "a header name has 1 to 256 characters, got 0");
	CHECK(HTTPHeader::checkName("Bad Key") == "'Bad Key' is not a valid HTTP header name: a space at character 4; letters, digits and !#$%&'*+-.^_`|~ only");
	CHECK(HTTPHeader::checkName("X:Y") == "'X:Y' is not a valid HTTP header name: ':' at character 2; letters, digits and !#$%&'*+-.^_`|~ only");
	CHECK(HTTPHeader::checkName("X\x0bY") == "the name is not a valid HTTP header name: U+000B at character 2; letters, digits and !#$%&'*+-.^_`|~ only");
	CHECK(HTTPHeader::checkName(std::string("X\0Y", 3)) == "the name is not a valid HTTP header name: U+0000 at character 2; letters, digits and !#$%&'*+-.^_`|~ only");
	CHECK(HTTPHeader::checkName("Sch\xC3\xBC" "ssel") == "'Schüssel' is not a valid HTTP header name: a non-ASCII character at character 4; letters, digits and !#$%&'*+-.^_`|~ only");
}

TEST_CASE("A header value is printable ASCII of at most 4096 characters, without spaces at either end", "[http-header]")
{
	CHECK(HTTPHeader::checkValue("Bearer abc.def-123_~+/=").empty());
	CHECK(HTTPHeader::checkValue("").empty());
	CHECK(HTTPHeader::checkValue("a b").empty());
	CHECK(HTTPHeader::checkValue(std::string(4096, 'v')).empty());
	CHECK(HTTPHeader::checkValue(std::string(4097, 'v')) == "is longer than 4096 characters");
	CHECK(HTTPHeader::checkValue("a\x0b" "b") == "contains the control character U+000B at character 2");
	CHECK(HTTPHeader::checkValue("ab\x7f") == "contains the control character U+007F at character 3");
	CHECK(HTTPHeader::checkValue("a\tb") == "contains the control character U+0009 at character 2");
	CHECK(HTTPHeader::checkValue("k\r\nX-Evil: 1") == "contains the control character U+000D at character 2");
	CHECK(HTTPHeader::checkValue(std::string("k\0v", 3)) == "contains the control character U+0000 at character 2");
	CHECK(HTTPHeader::checkValue("k\xE2\x80\xA8v") == "contains a non-ASCII character at character 2; HTTP header values are ASCII");
	CHECK(HTTPHeader::checkValue("k\xC2\x85v") == "contains a non-ASCII character at character 2; HTTP header values are ASCII");
	CHECK(HTTPHeader::checkValue(" token") == "must not begin or end with a space");
	CHECK(HTTPHeader::checkValue("token ") == "must not begin or end with a space");
}

TEST_CASE("Host, Content-Length, Transfer-Encoding and Connection are the transport's, in any case", "[http-header]")
{
	for (const char* name: {"Host", "host", "CONTENT-LENGTH", "Transfer-Encoding", "connection"})
		CHECK(HTTPHeader::isSetByTransport(name));
	for (const char* name: {"X-Host", "Authorization", "Content-Type", "Hostname"})
		CHECK_FALSE(HTTPHeader::isSetByTransport(name));
}

#include "transports/EmailAddress.h"

#include <catch2/catch.hpp>

using Hookgate::EmailAddress;

TEST_CASE("An email address is one plain ASCII mailbox", "[email-address]")
{
	CHECK(EmailAddress::check("bookings@acme.example").empty());
	CHECK(EmailAddress::check("first.last+tag@sub.example.co").empty());
	CHECK(EmailAddress::check("user@localhost").empty());
	CHECK(EmailAddress::check("o'brien!#$%&*/=?^_`{|}~-@x.example").empty());
}

TEST_CASE("An email address that cannot be sent is refused with the reason", "[email-address]")
{
	CHECK(EmailAddress::check("") == "an address is required");
	CHECK(EmailAddress::check("a@b, c@d") == "exactly one address, without ',' or ';'");
	CHECK(EmailAddress::check("a@b;c@d") == "exactly one address, without ',' or ';'");
	CHECK(EmailAddress::check("ACME <a@b.example>") == "a plain address like name@example.com, without a display name");
	CHECK(EmailAddress::check("a@b.example\r\nBcc: x@y") == "contains the control character U+000D at character 12");
	CHECK(EmailAddress::check("a\x1b@b.example") == "contains the control character U+001B at character 2");
	CHECK(EmailAddress::check("a@b.example\xE2\x80\xA8") == "contains the control character U+2028 at character 12");
	CHECK(EmailAddress::check("a\xff@b.example") == "is not valid UTF-8 at character 2");
	CHECK(EmailAddress::check("a b@example.com") == "must not contain spaces");
	CHECK(EmailAddress::check("j\xC3\xBCrgen@example.com") == "contains a non-ASCII character; only ASCII addresses can be sent (no SMTPUTF8)");
	CHECK(EmailAddress::check("no-at-sign") == "expected exactly one '@', as in name@example.com");
	CHECK(EmailAddress::check("a@@b") == "expected exactly one '@', as in name@example.com");
	CHECK(EmailAddress::check("@b.example") == "the part before '@' must have 1 to 64 characters");
	CHECK(EmailAddress::check(std::string(65, 'a') + "@b.example") == "the part before '@' must have 1 to 64 characters");
	CHECK(EmailAddress::check(".a@b.example") == "the part before '@' must not start or end with '.' or contain '..'");
	CHECK(EmailAddress::check("a..b@b.example") == "the part before '@' must not start or end with '.' or contain '..'");
	CHECK(EmailAddress::check("a(b)@b.example") == "'(' is not allowed before '@'");
	CHECK(EmailAddress::check("a@") == "the domain after '@' is missing");
	CHECK(EmailAddress::check("a@[127.0.0.1]") == "an address literal like [192.0.2.1] is not supported; use a domain name");
	CHECK(EmailAddress::check("a@[IPv6:::1]") == "an address literal like [192.0.2.1] is not supported; use a domain name");
	CHECK(EmailAddress::check("a@-bad-.example") == "the domain '-bad-.example' is not a valid host name");
	CHECK(EmailAddress::check("a@b..example") == "the domain 'b..example' is not a valid host name");
	CHECK(EmailAddress::check("a@b_c.example") == "the domain 'b_c.example' is not a valid host name");
	CHECK(EmailAddress::check("a@" + std::string(64, 'b') + ".example") == "the domain '" + std::string(64, 'b') + ".example' is not a valid host name");
	CHECK(EmailAddress::check("a@" + std::string(260, 'b')) == "is longer than 254 characters");
}

TEST_CASE("A domain is dot-separated labels of letters, digits and inner hyphens, at most 253 characters", "[email-address]")
{
	CHECK(EmailAddress::isDomain("example.com"));
	CHECK(EmailAddress::isDomain("a-b.c1"));
	CHECK(EmailAddress::isDomain("localhost"));
	CHECK_FALSE(EmailAddress::isDomain(""));
	CHECK_FALSE(EmailAddress::isDomain(".example.com"));
	CHECK_FALSE(EmailAddress::isDomain("example.com."));
	CHECK_FALSE(EmailAddress::isDomain("-a.example"));
	CHECK_FALSE(EmailAddress::isDomain("a-.example"));
	CHECK_FALSE(EmailAddress::isDomain(std::string(63, 'a') + "." + std::string(63, 'a') + "." + std::string(63, 'a') + "." + std::string(62, 'a')));  // 254
	CHECK(EmailAddress::isDomain(std::string(63, 'a') + "." + std::string(63, 'a') + "." + std::string(63, 'a') + "." + std::string(61, 'a')));        // 253
}

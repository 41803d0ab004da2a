#include "transports/DestinationPolicy.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>

#include <catch2/catch.hpp>

#include <string>

using Hookgate::DestinationPolicy;
using Poco::Net::IPAddress;

namespace {

bool isPrivate(const std::string& address)
{
	return DestinationPolicy::isPrivate(IPAddress(address));
}

std::string refusal(const std::string& host, const std::string& address, const std::string& block)
{
	return "destination " + host + " resolves to private address " + address + " (" + block + "); refused by hookgate.security.allowPrivateDestinations=false";
}

const std::string LOOPBACK4 = "127.0.0.0/8 Loopback, RFC 1122";
const std::string LOOPBACK6 = "::1/128 Loopback Address, RFC 4291";

} // namespace

TEST_CASE("Loopback, private, link-local, CGNAT, multicast and unspecified IPv4 addresses are private", "[policy]")
{
	const char* addresses[] = {
		"0.0.0.0", "0.1.2.3",
		"127.0.0.1", "127.255.255.254",
		"10.0.0.1", "10.255.255.255",
		"172.16.0.1", "172.31.255.255",
		"192.168.0.1", "192.168.255.255",
		"169.254.0.1", "169.254.169.254",
		"100.64.0.1", "100.127.255.255",
		"224.0.0.1", "239.255.255.250",
		"240.0.0.1", "255.255.255.255",
		"198.18.0.1", "192.0.0.1", "192.0.2.1", "203.0.113.9",
	};
	for (const char* address: addresses)
	{
		INFO(address);
		CHECK(isPrivate(address));
	}
}

TEST_CASE("Public IPv4 addresses, including the neighbours of private ranges, are not private", "[policy]")
{
	const char* addresses[] = {
		"8.8.8.8", "1.1.1.1", "93.184.216.34",
		"1.0.0.0", "9.255.255.255", "11.0.0.0",
		"126.255.255.255", "128.0.0.1",
		"172.15.255.255", "172.32.0.0",
		"192.167.255.255", "192.169.0.0",
		"169.253.255.255", "169.255.0.0",
		"100.63.255.255", "100.128.0.0",
		"223.255.255.255",
	};
	for (const char* address: addresses)
	{
		INFO(address);
		CHECK_FALSE(isPrivate(address));
	}
}

TEST_CASE("Loopback, unspecified, link-local, unique-local and multicast IPv6 addresses are private", "[policy]")
{
	const char* addresses[] = {
		"::1", "::",
		"fe80::1", "febf:ffff::1",
		"fec0::1",
		"fc00::1", "fd12:3456:789a::1",
		"ff02::1", "ff0e::1",
	};
	for (const char* address: addresses)
	{
		INFO(address);
		CHECK(isPrivate(address));
	}
}

TEST_CASE("IPv6 forms that embed a private IPv4 address are private", "[policy]")
{
	const char* addresses[] = {
		"::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:192.168.1.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
		"::ffff:a00:1",          // ::ffff:10.0.0.1 in hex
		"::10.0.0.1", "::127.0.0.1",  // IPv4-compatible
		"64:ff9b::a00:1",        // NAT64 of 10.0.0.1
		"2002:7f00:1::1",        // 6to4 of 127.0.0.1
		"::ffff:0:127.0.0.1", "::ffff:0:7f00:1", "::ffff:0:169.254.169.254",  // SIIT IPv4-translated
		"64:ff9b:1::7f00:1",     // local-use NAT64
	};
	for (const char* address: addresses)
	{
		INFO(address);
		CHECK(isPrivate(address));
	}
}

TEST_CASE("Public IPv6 addresses and the NAT64 form of a public IPv4 address are not private", "[policy]")
{
	const char* addresses[] = {
		"2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
		"64:ff9b::808:808", "2001:1::1", "2001:20::1", "3ffe::1", "2000::",
	};
	for (const char* address: addresses)
	{
		INFO(address);
		CHECK_FALSE(isPrivate(address));
	}
}

TEST_CASE("IPv4-mapped, -compatible, -translated and 6to4 forms are private even of a public IPv4 address", "[policy]")
{
	// Not globally reachable in the IANA registries: a receiver has a real address to use instead.
	for (const char* address: {"::ffff:8.8.8.8", "::8.8.8.8", "::ffff:0:8.8.8.8", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"})
	{
		INFO(address);
		CHECK(isPrivate(address));
	}
	// Outside 2000::/3 nothing is global unicast.
	for (const char* address: {"fbff::1", "fe7f::1", "4000::1", "1000::1", "e000::1"})
	{
		INFO(address);
		CHECK(isPrivate(address));
	}
}

TEST_CASE("Public literal destinations pass the check", "[policy]")
{
	CHECK(DestinationPolicy::check("8.8.8.8") == "");
	CHECK(DestinationPolicy::check("2001:4860:4860::8888") == "");
	CHECK(DestinationPolicy::check("[2001:4860:4860::8888]") == "");
	CHECK(DestinationPolicy::check("[64:ff9b::8.8.8.8]") == "");
}

TEST_CASE("Private literal destinations are refused with a text naming host, address and policy key", "[policy]")
{
	CHECK(DestinationPolicy::check("127.0.0.1") == refusal("127.0.0.1", "127.0.0.1", LOOPBACK4));
	CHECK(DestinationPolicy::check("10.1.2.3") == refusal("10.1.2.3", "10.1.2.3", "10.0.0.0/8 Private-Use, RFC 1918"));
	CHECK(DestinationPolicy::check("169.254.169.254") == refusal("169.254.169.254", "169.254.169.254", "169.254.0.0/16 Link Local, RFC 3927"));
	CHECK(DestinationPolicy::check("0.0.0.0") == refusal("0.0.0.0", "0.0.0.0", "0.0.0.0/32 \"This host on this network\", RFC 1122"));
	CHECK(DestinationPolicy::check("198.18.0.1") == refusal("198.18.0.1", "198.18.0.1", "198.18.0.0/15 Benchmarking, RFC 2544"));
	CHECK(DestinationPolicy::check("[::1]") == refusal("[::1]", "::1", LOOPBACK6));
	CHECK(DestinationPolicy::check("::1") == refusal("::1", "::1", LOOPBACK6));
	CHECK(DestinationPolicy::check("[fe80::1]") == refusal("[fe80::1]", "fe80::1", "fe80::/10 Link-Local Unicast, RFC 4291"));
	CHECK(DestinationPolicy::check("[fd00::5]") == refusal("[fd00::5]", "fd00::5", "fc00::/7 Unique-Local, RFC 4193"));
	CHECK(DestinationPolicy::check("[::ffff:10.0.0.1]") == refusal("[::ffff:10.0.0.1]", "::ffff:10.0.0.1", "::ffff:0:0/96 IPv4-mapped Address, RFC 4291"));
	// NAT64 is named by the IPv4 block it reaches.
	CHECK(DestinationPolicy::check("[64:ff9b::7f00:1]") == refusal("[64:ff9b::7f00:1]", "64:ff9b::7f00:1", LOOPBACK4));
}

TEST_CASE("Numeric shorthand spellings of loopback are refused", "[policy]")
{
	// inet_aton accepts these, and so do the resolver and the socket layer.
	CHECK(DestinationPolicy::check("2130706433") == refusal("2130706433", "127.0.0.1", LOOPBACK4));
	CHECK(DestinationPolicy::check("127.1") == refusal("127.1", "127.0.0.1", LOOPBACK4));
	CHECK(DestinationPolicy::check("0x7f000001") == refusal("0x7f000001", "127.0.0.1", LOOPBACK4));
}

TEST_CASE("A host name that resolves to loopback is refused", "[policy]")
{
	const std::string error = DestinationPolicy::check("localhost");
	const std::string suffix = "; refused by hookgate.security.allowPrivateDestinations=false";
	CHECK(error.compare(0, 50, "destination localhost resolves to private address ") == 0);
	REQUIRE(error.size() > suffix.size());
	CHECK(error.compare(error.size() - suffix.size(), suffix.size(), suffix) == 0);
}

TEST_CASE("A host that cannot be resolved is reported with the host's name", "[policy]")
{
	const std::string error = DestinationPolicy::check("nonexistent.invalid");
	INFO(error);
	CHECK(error.compare(0, 41, "cannot resolve host nonexistent.invalid: ") == 0);
	CHECK(error.size() > 41);

	CHECK(DestinationPolicy::check("") == "cannot resolve host : Host not found: empty host name");
	CHECK(DestinationPolicy::check("[not-an-address]") == "cannot resolve host [not-an-address]: Host not found: not an IPv6 address in brackets");
}

TEST_CASE("Literal addresses resolve to themselves without DNS", "[policy]")
{
	auto v4 = DestinationPolicy::resolve("192.0.2.7");
	REQUIRE(v4.size() == 1);
	CHECK(v4[0] == IPAddress("192.0.2.7"));

	auto v6 = DestinationPolicy::resolve("[2001:db8::7]");
	REQUIRE(v6.size() == 1);
	CHECK(v6[0] == IPAddress("2001:db8::7"));

	CHECK_THROWS_AS(DestinationPolicy::resolve("[localhost]"), Poco::Net::HostNotFoundException);
}

TEST_CASE("The check of given addresses names the first private one", "[policy]")
{
	const std::vector<IPAddress> mixed = {IPAddress("8.8.8.8"), IPAddress("192.168.1.10"), IPAddress("10.0.0.1")};
	CHECK(DestinationPolicy::check("example.com", mixed) == refusal("example.com", "192.168.1.10", "192.168.0.0/16 Private-Use, RFC 1918"));
	const std::vector<IPAddress> publicOnly = {IPAddress("8.8.8.8"), IPAddress("2606:4700:4700::1111")};
	CHECK(DestinationPolicy::check("example.com", publicOnly) == "");
}

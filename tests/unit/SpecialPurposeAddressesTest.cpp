#include "transports/DestinationPolicy.h"
#include "transports/SpecialPurposeAddresses.h"

#include <Poco/Net/IPAddress.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Hookgate::DestinationPolicy;
using Hookgate::SpecialPurposeAddresses;
using Poco::Net::IPAddress;

namespace {

struct Expected
{
	std::string cidr;
	bool globallyReachable;  ///< the registry's column; N/A as false
};

// Transcribed from the IANA registries' CSV files (iana-ipv4-special-registry-1.csv,
// iana-ipv6-special-registry-1.csv: Address Block, Globally Reachable), independently of the
// table in transports/, plus the address-space rows that table adds (multicast, IPv6 outside
// 2000::/3). 64:ff9b::/96 is globally reachable; what it reaches is checked below.
const std::vector<Expected> REGISTRY = {
	{"0.0.0.0/8", false}, {"0.0.0.0/32", false}, {"10.0.0.0/8", false}, {"100.64.0.0/10", false},
	{"127.0.0.0/8", false}, {"169.254.0.0/16", false}, {"172.16.0.0/12", false}, {"192.0.0.0/24", false},
	{"192.0.0.0/29", false}, {"192.0.0.8/32", false}, {"192.0.0.9/32", true}, {"192.0.0.10/32", true},
	{"192.0.0.170/32", false}, {"192.0.0.171/32", false}, {"192.0.2.0/24", false}, {"192.31.196.0/24", true},
	{"192.52.193.0/24", true}, {"192.88.99.0/24", false}, {"192.88.99.2/32", false}, {"192.168.0.0/16", false}, {"192.175.48.0/24", true},
	{"198.18.0.0/15", false}, {"198.51.100.0/24", false}, {"203.0.113.0/24", false}, {"240.0.0.0/4", false},
	{"255.255.255.255/32", false}, {"224.0.0.0/4", false},
	{"::1/128", false}, {"::/128", false}, {"::ffff:0:0/96", false}, {"64:ff9b::/96", true},
	{"64:ff9b:1::/48", false}, {"100::/64", false}, {"100:0:0:1::/64", false}, {"2001::/23", false},
	{"2001::/32", false}, {"2001:1::1/128", true}, {"2001:1::2/128", true}, {"2001:1::3/128", true},
	{"2001:2::/48", false}, {"2001:3::/32", true}, {"2001:4:112::/48", true}, {"2001:10::/28", false},
	{"2001:20::/28", true}, {"2001:30::/28", true}, {"2001:db8::/32", false}, {"2002::/16", false},
	{"2620:4f:8000::/48", true}, {"3fff::/20", false}, {"5f00::/16", false}, {"fc00::/7", false},
	{"fe80::/10", false}, {"::/3", false}, {"4000::/2", false}, {"8000::/1", false},
};

std::vector<unsigned char> bytesOf(const IPAddress& address)
{
	const unsigned char* b = static_cast<const unsigned char*>(address.addr());
	return std::vector<unsigned char>(b, b + address.length());
}

/// The first (last = false) or last address of a CIDR block.
IPAddress edge(const std::string& cidr, bool last)
{
	const std::size_t slash = cidr.find('/');
	std::vector<unsigned char> b = bytesOf(IPAddress(cidr.substr(0, slash)));
	const unsigned prefix = static_cast<unsigned>(std::stoul(cidr.substr(slash + 1)));
	for (unsigned bit = prefix; bit < b.size() * 8; ++bit)
	{
		const unsigned char mask = static_cast<unsigned char>(0x80 >> (bit % 8));
		b[bit / 8] = last ? (b[bit / 8] | mask) : (b[bit / 8] & ~mask);
	}
	return IPAddress(b.data(), static_cast<poco_socklen_t>(b.size()));
}

bool inBlock(const IPAddress& address, const std::string& cidr)
{
	const std::size_t slash = cidr.find('/');
	const IPAddress network(cidr.substr(0, slash));
	if (network.family() != address.family()) return false;
	const unsigned prefix = static_cast<unsigned>(std::stoul(cidr.substr(slash + 1)));
	const std::vector<unsigned char> a = bytesOf(address);
	const std::vector<unsigned char> n = bytesOf(network);
	for (unsigned bit = 0; bit < prefix; ++bit)
	{
		const unsigned char mask = static_cast<unsigned char>(0x80 >> (bit % 8));
		if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
	}
	return true;
}

/// What the registry says of an address: the most specific block decides, outside every block it is public.
bool registryPrivate(const IPAddress& address)
{
	const Expected* best = nullptr;
	unsigned bestPrefix = 0;
	for (const Expected& e: REGISTRY)
	{
		const unsigned prefix = static_cast<unsigned>(std::stoul(e.cidr.substr(e.cidr.find('/') + 1)));
		if (inBlock(address, e.cidr) && (!best || prefix > bestPrefix))
		{
			best = &e;
			bestPrefix = prefix;
		}
	}
	return best && !best->globallyReachable;
}

IPAddress embedded(const std::string& prefix12, const IPAddress& v4)
{
	std::vector<unsigned char> b = bytesOf(IPAddress(prefix12));
	const std::vector<unsigned char> four = bytesOf(v4);
	std::copy(four.begin(), four.end(), b.begin() + 12);
	return IPAddress(b.data(), 16);
}

} // namespace

TEST_CASE("The table is every block of the IANA special-purpose registries with its reachability", "[policy]")
{
	const auto& blocks = SpecialPurposeAddresses::blocks();
	REQUIRE(blocks.size() == REGISTRY.size());
	for (std::size_t i = 0; i < blocks.size(); ++i)
	{
		INFO(REGISTRY[i].cidr);
		CHECK(blocks[i].cidr == REGISTRY[i].cidr);
		CHECK(blocks[i].globallyReachable == REGISTRY[i].globallyReachable);
		CHECK_FALSE(blocks[i].name.empty());
		CHECK(blocks[i].reference.compare(0, 4, "RFC ") == 0);
	}
}

TEST_CASE("Every block's first and last address is judged as the registry says", "[policy]")
{
	int privateSeen = 0;
	int publicSeen = 0;
	for (const Expected& block: REGISTRY)
	{
		for (const bool last: {false, true})
		{
			const IPAddress address = edge(block.cidr, last);
			bool expected = registryPrivate(address);
			if (inBlock(address, "64:ff9b::/96") && !inBlock(address, "64:ff9b:1::/48"))
				expected = registryPrivate(IPAddress(static_cast<const unsigned char*>(address.addr()) + 12, 4));
			INFO(block.cidr << (last ? " last " : " first ") << address.toString());
			CHECK(DestinationPolicy::isPrivate(address) == expected);
			(expected ? privateSeen : publicSeen)++;
		}
	}
	// The walk saw both outcomes: globally reachable blocks such as 192.0.0.9/32 pass.
	CHECK(privateSeen > 0);
	CHECK(publicSeen > 0);
}

TEST_CASE("Every IPv4 block's edges are private in v4-mapped and v4-translated form, and judged by the IPv4 address in NAT64 form", "[policy]")
{
	std::vector<IPAddress> addresses = {IPAddress("8.8.8.8"), IPAddress("93.184.216.34")};
	for (const Expected& block: REGISTRY)
	{
		if (block.cidr.find(':') != std::string::npos) continue;
		addresses.push_back(edge(block.cidr, false));
		addresses.push_back(edge(block.cidr, true));
	}
	for (const IPAddress& v4: addresses)
	{
		INFO(v4.toString());
		const IPAddress mapped = embedded("::ffff:0:0", v4);       // ::ffff:a.b.c.d
		const IPAddress translated = embedded("::ffff:0:0:0", v4); // ::ffff:0:a.b.c.d (SIIT)
		const IPAddress compatible = embedded("::", v4);           // ::a.b.c.d (deprecated)
		const IPAddress nat64 = embedded("64:ff9b::", v4);         // 64:ff9b::a.b.c.d
		const IPAddress localNat64 = embedded("64:ff9b:1::", v4);  // 64:ff9b:1::a.b.c.d
		CHECK(DestinationPolicy::isPrivate(mapped));
		CHECK(DestinationPolicy::isPrivate(translated));
		// ::0.0.0.0 and ::0.0.0.1 are the unspecified and loopback addresses; the rest is IPv4-compatible.
		CHECK(DestinationPolicy::isPrivate(compatible));
		CHECK(DestinationPolicy::isPrivate(localNat64));
		CHECK(DestinationPolicy::isPrivate(nat64) == DestinationPolicy::isPrivate(v4));
		CHECK(DestinationPolicy::isPrivate(nat64) == registryPrivate(v4));
	}
}

TEST_CASE("The addresses of the SSRF report are refused", "[policy]")
{
	for (const char* address: {"::ffff:0:127.0.0.1", "::ffff:0:7f00:1", "::ffff:0:169.254.169.254", "64:ff9b:1::7f00:1", "198.18.0.1", "192.0.0.1"})
	{
		INFO(address);
		CHECK(DestinationPolicy::isPrivate(IPAddress(address)));
		CHECK(DestinationPolicy::check(address).find("refused by hookgate.security.allowPrivateDestinations=false") != std::string::npos);
	}
}

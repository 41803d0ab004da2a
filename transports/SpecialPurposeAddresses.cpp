#include "transports/SpecialPurposeAddresses.h"

#include <Poco/NumberParser.h>

namespace Hookgate {

namespace {

enum Reach { GLOBAL, NOT_GLOBAL, EMBEDS_IPV4 };

struct Row
{
	const char* cidr;
	Reach reach;
	const char* name;
	const char* reference;
};

// https://www.iana.org/assignments/iana-ipv4-special-registry and
// https://www.iana.org/assignments/iana-ipv6-special-registry, every entry in the registries'
// order; after each, the rows from the address-space registries, which name their source.
const Row ROWS[] = {
	{"0.0.0.0/8", NOT_GLOBAL, "\"This network\"", "RFC 791"},
	{"0.0.0.0/32", NOT_GLOBAL, "\"This host on this network\"", "RFC 1122"},
	{"10.0.0.0/8", NOT_GLOBAL, "Private-Use", "RFC 1918"},
	{"100.64.0.0/10", NOT_GLOBAL, "Shared Address Space", "RFC 6598"},
	{"127.0.0.0/8", NOT_GLOBAL, "Loopback", "RFC 1122"},
	{"169.254.0.0/16", NOT_GLOBAL, "Link Local", "RFC 3927"},
	{"172.16.0.0/12", NOT_GLOBAL, "Private-Use", "RFC 1918"},
	{"192.0.0.0/24", NOT_GLOBAL, "IETF Protocol Assignments", "RFC 6890"},
	{"192.0.0.0/29", NOT_GLOBAL, "IPv4 Service Continuity Prefix", "RFC 7335"},
	{"192.0.0.8/32", NOT_GLOBAL, "IPv4 dummy address", "RFC 7600"},
	{"192.0.0.9/32", GLOBAL, "Port Control Protocol Anycast", "RFC 7723"},
	{"192.0.0.10/32", GLOBAL, "Traversal Using Relays around NAT Anycast", "RFC 8155"},
	{"192.0.0.170/32", NOT_GLOBAL, "NAT64/DNS64 Discovery", "RFC 8880"},
	{"192.0.0.171/32", NOT_GLOBAL, "NAT64/DNS64 Discovery", "RFC 8880"},
	{"192.0.2.0/24", NOT_GLOBAL, "Documentation (TEST-NET-1)", "RFC 5737"},
	{"192.31.196.0/24", GLOBAL, "AS112-v4", "RFC 7535"},
	{"192.52.193.0/24", GLOBAL, "AMT", "RFC 7450"},
	{"192.88.99.0/24", NOT_GLOBAL, "Deprecated (6to4 Relay Anycast)", "RFC 7526"},
	{"192.88.99.2/32", NOT_GLOBAL, "6a44-relay anycast address", "RFC 6751"},
	{"192.168.0.0/16", NOT_GLOBAL, "Private-Use", "RFC 1918"},
	{"192.175.48.0/24", GLOBAL, "Direct Delegation AS112 Service", "RFC 7534"},
	{"198.18.0.0/15", NOT_GLOBAL, "Benchmarking", "RFC 2544"},
	{"198.51.100.0/24", NOT_GLOBAL, "Documentation (TEST-NET-2)", "RFC 5737"},
	{"203.0.113.0/24", NOT_GLOBAL, "Documentation (TEST-NET-3)", "RFC 5737"},
	{"240.0.0.0/4", NOT_GLOBAL, "Reserved", "RFC 1112"},
	{"255.255.255.255/32", NOT_GLOBAL, "Limited Broadcast", "RFC 919"},
	{"224.0.0.0/4", NOT_GLOBAL, "Multicast (IANA IPv4 Multicast Address Space)", "RFC 5771"},

	{"::1/128", NOT_GLOBAL, "Loopback Address", "RFC 4291"},
	{"::/128", NOT_GLOBAL, "Unspecified Address", "RFC 4291"},
	{"::ffff:0:0/96", NOT_GLOBAL, "IPv4-mapped Address", "RFC 4291"},
	{"64:ff9b::/96", EMBEDS_IPV4, "IPv4-IPv6 Translat.", "RFC 6052"},
	{"64:ff9b:1::/48", NOT_GLOBAL, "IPv4-IPv6 Translat. (local use)", "RFC 8215"},
	{"100::/64", NOT_GLOBAL, "Discard-Only Address Block", "RFC 6666"},
	{"100:0:0:1::/64", NOT_GLOBAL, "Dummy IPv6 Prefix", "RFC 9780"},
	{"2001::/23", NOT_GLOBAL, "IETF Protocol Assignments", "RFC 2928"},
	{"2001::/32", NOT_GLOBAL, "TEREDO", "RFC 4380"},
	{"2001:1::1/128", GLOBAL, "Port Control Protocol Anycast", "RFC 7723"},
	{"2001:1::2/128", GLOBAL, "Traversal Using Relays around NAT Anycast", "RFC 8155"},
	{"2001:1::3/128", GLOBAL, "DNS-SD Service Registration Protocol Anycast", "RFC 9665"},
	{"2001:2::/48", NOT_GLOBAL, "Benchmarking", "RFC 5180"},
	{"2001:3::/32", GLOBAL, "AMT", "RFC 7450"},
	{"2001:4:112::/48", GLOBAL, "AS112-v6", "RFC 7535"},
	{"2001:10::/28", NOT_GLOBAL, "Deprecated (previously ORCHID)", "RFC 4843"},
	{"2001:20::/28", GLOBAL, "ORCHIDv2", "RFC 7343"},
	{"2001:30::/28", GLOBAL, "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374"},
	{"2001:db8::/32", NOT_GLOBAL, "Documentation", "RFC 3849"},
	{"2002::/16", NOT_GLOBAL, "6to4", "RFC 3056"},
	{"2620:4f:8000::/48", GLOBAL, "Direct Delegation AS112 Service", "RFC 7534"},
	{"3fff::/20", NOT_GLOBAL, "Documentation", "RFC 9637"},
	{"5f00::/16", NOT_GLOBAL, "Segment Routing (SRv6) SIDs", "RFC 9602"},
	{"fc00::/7", NOT_GLOBAL, "Unique-Local", "RFC 4193"},
	{"fe80::/10", NOT_GLOBAL, "Link-Local Unicast", "RFC 4291"},
	{"::/3", NOT_GLOBAL, "Reserved by IETF, outside global unicast 2000::/3 (IANA IPv6 Address Space; holds ::a.b.c.d and ::ffff:0:a.b.c.d)", "RFC 4291"},
	{"4000::/2", NOT_GLOBAL, "Reserved by IETF, outside global unicast 2000::/3 (IANA IPv6 Address Space)", "RFC 4291"},
	{"8000::/1", NOT_GLOBAL, "Reserved by IETF, site-local fec0::/10 and multicast ff00::/8, outside global unicast 2000::/3 (IANA IPv6 Address Space)", "RFC 4291"},
};

std::vector<SpecialPurposeAddresses::Block> makeBlocks()
{
	std::vector<SpecialPurposeAddresses::Block> blocks;
	for (const Row& row: ROWS)
	{
		SpecialPurposeAddresses::Block block;
		block.cidr = row.cidr;
		const std::size_t slash = block.cidr.find('/');
		block.network = Poco::Net::IPAddress(block.cidr.substr(0, slash));
		block.prefixLength = Poco::NumberParser::parseUnsigned(block.cidr.substr(slash + 1));
		block.globallyReachable = row.reach != NOT_GLOBAL;
		block.embedsIPv4 = row.reach == EMBEDS_IPV4;
		block.name = row.name;
		block.reference = row.reference;
		blocks.push_back(block);
	}
	return blocks;
}

} // namespace

bool SpecialPurposeAddresses::Block::contains(const Poco::Net::IPAddress& address) const
{
	if (address.family() != network.family())
		return false;
	const unsigned char* a = static_cast<const unsigned char*>(address.addr());
	const unsigned char* n = static_cast<const unsigned char*>(network.addr());
	unsigned bits = prefixLength;
	for (unsigned i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0)
	{
		const unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
		if ((a[i] & mask) != (n[i] & mask))
			return false;
	}
	return true;
}

const std::vector<SpecialPurposeAddresses::Block>& SpecialPurposeAddresses::blocks()
{
	static const std::vector<Block> table = makeBlocks();
	return table;
}

const SpecialPurposeAddresses::Block* SpecialPurposeAddresses::find(const Poco::Net::IPAddress& address)
{
	const Block* best = nullptr;
	for (const Block& block: blocks())
	{
		if (block.contains(address) && (!best || block.prefixLength > best->prefixLength))
			best = &block;
	}
	return best;
}

} // namespace Hookgate

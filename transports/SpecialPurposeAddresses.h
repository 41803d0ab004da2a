#pragma once

#include <Poco/Net/IPAddress.h>

#include <string>
#include <vector>

namespace Hookgate {

/// The address blocks that are not ordinary public unicast destinations, as one table: every
/// entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890; as of 2025),
/// with the registry's "Globally Reachable" column, plus the blocks of the IANA address-space
/// registries that the special-purpose registries leave out (IPv4 and IPv6 multicast, and the
/// IPv6 space outside 2000::/3, which holds the IPv4-compatible ::a.b.c.d and the SIIT
/// IPv4-translated ::ffff:0:a.b.c.d forms).
///
/// An address is judged by the most specific block that holds it: 192.0.0.9 (PCP anycast,
/// globally reachable) sits inside 192.0.0.0/24 (not). "N/A" in the registry (6to4, Teredo,
/// the deprecated 6to4 relay anycast) counts as not globally reachable.
class SpecialPurposeAddresses
{
public:
	struct Block
	{
		std::string cidr;              ///< "198.18.0.0/15"
		Poco::Net::IPAddress network;
		unsigned prefixLength = 0;
		bool globallyReachable = false;
		bool embedsIPv4 = false;       ///< 64:ff9b::/96: judged by the IPv4 address in its last 32 bits
		std::string name;              ///< "Benchmarking"
		std::string reference;         ///< "RFC 2544"

		bool contains(const Poco::Net::IPAddress& address) const;
	};

	static const std::vector<Block>& blocks();
		/// The whole table, IPv4 first, in the registries' order.

	static const Block* find(const Poco::Net::IPAddress& address);
		/// The most specific block that holds address, or null for an ordinary public address.
};

} // namespace Hookgate

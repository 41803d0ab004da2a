#pragma once

#include <Poco/Net/IPAddress.h>

#include <string>
#include <vector>

namespace Hookgate {

/// Which destinations a webhook may be sent to.
///
/// Unless private destinations are allowed, a destination whose host is, or
/// resolves to, a non-public address is refused: this keeps a webhook URL
/// from reaching services inside the gateway's network (SSRF).
class DestinationPolicy
{
public:
	static bool isPrivate(const Poco::Net::IPAddress& address);
		/// Returns true for addresses that are not public unicast destinations: those whose
		/// most specific block in SpecialPurposeAddresses is not globally reachable (the IANA
		/// special-purpose registries, multicast, IPv6 outside 2000::/3: IPv4-mapped,
		/// -compatible and -translated forms included). A NAT64 address (64:ff9b::/96) is
		/// judged by the IPv4 address it embeds.

	static std::vector<Poco::Net::IPAddress> resolve(const std::string& host);
		/// Returns the addresses of host. An IP literal (IPv6 optionally in
		/// brackets) is returned as is, without DNS; a name is resolved with DNS.
		/// Throws Poco::Net::HostNotFoundException, NoAddressFoundException,
		/// DNSException (or another Poco::Exception) when resolution fails.

	static std::string check(const std::string& host);
		/// Resolves host and returns an empty string if every address is public,
		/// otherwise an error text for an administrator:
		///   destination <host> resolves to private address <addr> (<block> <name>, <RFC>); refused by hookgate.security.allowPrivateDestinations=false
		/// or, when the host cannot be resolved:
		///   cannot resolve host <host>: <reason>

	static std::string check(const std::string& host, const std::vector<Poco::Net::IPAddress>& addresses);
		/// Returns the refusal text for the first private address in addresses, or an empty string.

	static std::string resolveError(const std::string& host, const Poco::Exception& exc);
		/// Returns "cannot resolve host <host>: <reason>" for an exception thrown by resolve().

	static const std::string POLICY_KEY; ///< "hookgate.security.allowPrivateDestinations"
};

} // namespace Hookgate

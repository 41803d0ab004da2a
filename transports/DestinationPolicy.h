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
		/// Returns true for addresses that are not public unicast destinations:
		/// IPv4: 0.0.0.0/8 (incl. unspecified), 10/8, 100.64/10 (CGNAT), 127/8,
		/// 169.254/16, 172.16/12, 192.168/16, 224/4 (multicast), 240/4 (reserved,
		/// incl. 255.255.255.255 broadcast);
		/// IPv6: ::, ::1, fe80::/10, fec0::/10, fc00::/7, ff00::/8, and the IPv4
		/// embedding forms whose embedded IPv4 address is private: IPv4-mapped
		/// ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16.

	static std::vector<Poco::Net::IPAddress> resolve(const std::string& host);
		/// Returns the addresses of host. An IP literal (IPv6 optionally in
		/// brackets) is returned as is, without DNS; a name is resolved with DNS.
		/// Throws Poco::Net::HostNotFoundException, NoAddressFoundException,
		/// DNSException (or another Poco::Exception) when resolution fails.

	static std::string check(const std::string& host);
		/// Resolves host and returns an empty string if every address is public,
		/// otherwise an error text for an administrator:
		///   destination <host> resolves to private address <addr>; refused by hookgate.security.allowPrivateDestinations=false
		/// or, when the host cannot be resolved:
		///   cannot resolve host <host>: <reason>

	static std::string check(const std::string& host, const std::vector<Poco::Net::IPAddress>& addresses);
		/// Returns the refusal text for the first private address in addresses, or an empty string.

	static std::string resolveError(const std::string& host, const Poco::Exception& exc);
		/// Returns "cannot resolve host <host>: <reason>" for an exception thrown by resolve().

	static const std::string POLICY_KEY; ///< "hookgate.security.allowPrivateDestinations"
};

} // namespace Hookgate

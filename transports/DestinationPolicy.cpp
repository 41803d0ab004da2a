#include "transports/DestinationPolicy.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/NetException.h>

#include <cstring>

namespace Hookgate {

namespace {

bool isPrivateIPv4(const unsigned char* b)
{
	if (b[0] == 0) return true;                              // 0.0.0.0/8 "this network", incl. unspecified
	if (b[0] == 10) return true;                             // 10/8 RFC 1918
	if (b[0] == 100 && (b[1] & 0xC0) == 64) return true;     // 100.64/10 CGNAT (RFC 6598)
	if (b[0] == 127) return true;                            // 127/8 loopback
	if (b[0] == 169 && b[1] == 254) return true;             // 169.254/16 link-local
	if (b[0] == 172 && (b[1] & 0xF0) == 16) return true;     // 172.16/12 RFC 1918
	if (b[0] == 192 && b[1] == 168) return true;             // 192.168/16 RFC 1918
	if ((b[0] & 0xF0) == 224) return true;                   // 224/4 multicast
	if ((b[0] & 0xF0) == 240) return true;                   // 240/4 reserved, incl. 255.255.255.255 broadcast
	return false;
}

bool allZero(const unsigned char* b, std::size_t n)
{
	for (std::size_t i = 0; i < n; ++i)
	{
		if (b[i] != 0) return false;
	}
	return true;
}

bool isPrivateIPv6(const unsigned char* b)
{
	static const unsigned char nat64Prefix[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

	if (allZero(b, 16)) return true;                                   // :: unspecified
	if (allZero(b, 15) && b[15] == 1) return true;                     // ::1 loopback
	if (b[0] == 0xfe && (b[1] & 0xC0) == 0x80) return true;            // fe80::/10 link-local
	if (b[0] == 0xfe && (b[1] & 0xC0) == 0xC0) return true;            // fec0::/10 site-local (deprecated)
	if ((b[0] & 0xFE) == 0xfc) return true;                            // fc00::/7 unique local
	if (b[0] == 0xff) return true;                                     // ff00::/8 multicast
	if (allZero(b, 10) && b[10] == 0xff && b[11] == 0xff)              // ::ffff:a.b.c.d IPv4-mapped
		return isPrivateIPv4(b + 12);
	if (allZero(b, 12))                                                // ::a.b.c.d IPv4-compatible (deprecated)
		return isPrivateIPv4(b + 12);
	if (std::memcmp(b, nat64Prefix, sizeof(nat64Prefix)) == 0)         // 64:ff9b::a.b.c.d NAT64
		return isPrivateIPv4(b + 12);
	if (b[0] == 0x20 && b[1] == 0x02)                                  // 2002:aabb:ccdd::/48 6to4
		return isPrivateIPv4(b + 2);
	return false;
}

std::string stripBrackets(const std::string& host)
{
	if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
		return host.substr(1, host.size() - 2);
	return host;
}

} // namespace

const std::string DestinationPolicy::POLICY_KEY("hookgate.security.allowPrivateDestinations");

bool DestinationPolicy::isPrivate(const Poco::Net::IPAddress& address)
{
	const unsigned char* bytes = static_cast<const unsigned char*>(address.addr());
	if (address.family() == Poco::Net::IPAddress::IPv4)
		return isPrivateIPv4(bytes);
	return isPrivateIPv6(bytes);
}

std::vector<Poco::Net::IPAddress> DestinationPolicy::resolve(const std::string& host)
{
	const std::string name = stripBrackets(host);
	if (name.empty())
		throw Poco::Net::HostNotFoundException("empty host name");

	Poco::Net::IPAddress literal;
	if (Poco::Net::IPAddress::tryParse(name, literal))
		return {literal};
	if (name != host)
		throw Poco::Net::HostNotFoundException("not an IPv6 address in brackets");

	const Poco::Net::HostEntry entry = Poco::Net::DNS::resolve(name);
	std::vector<Poco::Net::IPAddress> addresses(entry.addresses().begin(), entry.addresses().end());
	if (addresses.empty())
		throw Poco::Net::NoAddressFoundException(name);
	return addresses;
}

std::string DestinationPolicy::check(const std::string& host)
{
	std::vector<Poco::Net::IPAddress> addresses;
	try
	{
		addresses = resolve(host);
	}
	catch (Poco::Exception& exc)
	{
		return resolveError(host, exc);
	}
	return check(host, addresses);
}

std::string DestinationPolicy::check(const std::string& host, const std::vector<Poco::Net::IPAddress>& addresses)
{
	for (const auto& address: addresses)
	{
		if (isPrivate(address))
			return "destination " + host + " resolves to private address " + address.toString() + "; refused by " + POLICY_KEY + "=false";
	}
	return std::string();
}

std::string DestinationPolicy::resolveError(const std::string& host, const Poco::Exception& exc)
{
	// Poco's DNS exceptions carry the host name as their message ("Host not found: example.invalid");
	// the host is already named at the front, so leave it out of the reason.
	std::string reason = exc.displayText();
	const std::string suffix = ": " + stripBrackets(host);
	if (reason.size() > suffix.size() && reason.compare(reason.size() - suffix.size(), suffix.size(), suffix) == 0)
		reason.erase(reason.size() - suffix.size());
	return "cannot resolve host " + host + ": " + reason;
}

} // namespace Hookgate

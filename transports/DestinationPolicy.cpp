#include "transports/DestinationPolicy.h"
#include "transports/SpecialPurposeAddresses.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/NetException.h>


namespace Hookgate {

namespace {

/// The block that makes address private, or null when it is a public destination.
const SpecialPurposeAddresses::Block* privateBlock(const Poco::Net::IPAddress& address)
{
	const SpecialPurposeAddresses::Block* block = SpecialPurposeAddresses::find(address);
	if (block && block->embedsIPv4)
	{
		// NAT64 (64:ff9b::/96): the connection goes to the IPv4 address in the last 32 bits.
		const unsigned char* bytes = static_cast<const unsigned char*>(address.addr());
		return privateBlock(Poco::Net::IPAddress(bytes + 12, 4));
	}
	return block && !block->globallyReachable ? block : nullptr;
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
	return privateBlock(address) != nullptr;
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
		if (const SpecialPurposeAddresses::Block* block = privateBlock(address))
			return "destination " + host + " resolves to private address " + address.toString() + " (" + block->cidr + " " + block->name
				+ ", " + block->reference + "); refused by " + POLICY_KEY + "=false";
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

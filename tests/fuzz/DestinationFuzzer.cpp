// URL parsing with the destination policy (no DNS: only address literals are judged).
#include "transports/DestinationPolicy.h"
#include "transports/HTTPTarget.h"
#include "transports/SpecialPurposeAddresses.h"

#include <Poco/Net/IPAddress.h>

#include <cstdlib>

using namespace Hookgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	HTTPTarget target;
	if (target.parse(text).empty())
	{
		// What is accepted can be written on a request line and in a Host header.
		for (const char c: target.pathAndQuery + target.hostHeader)
			if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) std::abort();
		Poco::Net::IPAddress address;
		if (Poco::Net::IPAddress::tryParse(target.host, address))
		{
			const bool refused = !DestinationPolicy::check(target.host, {address}).empty();
			if (refused != DestinationPolicy::isPrivate(address)) std::abort();
		}
	}
	Poco::Net::IPAddress address;
	if (Poco::Net::IPAddress::tryParse(text, address)) DestinationPolicy::isPrivate(address);
	return 0;
}

#include "transports/EmailAddress.h"
#include "transports/PrintableText.h"

#include <algorithm>

namespace Hookgate {

namespace {

bool isAlphaNumeric(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

} // namespace

bool EmailAddress::isDomain(const std::string& domain)
{
	if (domain.empty() || domain.size() > 253)
		return false;
	std::size_t labelStart = 0;
	while (true)
	{
		const std::size_t dot = domain.find('.', labelStart);
		const std::size_t end = dot == std::string::npos ? domain.size() : dot;
		if (end == labelStart || end - labelStart > 63 || domain[labelStart] == '-' || domain[end - 1] == '-')
			return false;
		if (!std::all_of(domain.begin() + static_cast<std::ptrdiff_t>(labelStart), domain.begin() + static_cast<std::ptrdiff_t>(end),
				[](char c) { return isAlphaNumeric(c) || c == '-'; }))
			return false;
		if (dot == std::string::npos)
			return true;
		labelStart = dot + 1;
	}
}

std::string EmailAddress::check(const std::string& address)
{
	if (address.empty()) return "an address is required";
	if (const std::string why = PrintableText::check(address); !why.empty()) return why;
	if (address.size() > MAX_ADDRESS) return "is longer than " + std::to_string(MAX_ADDRESS) + " characters";
	if (address.find_first_of(",;") != std::string::npos) return "exactly one address, without ',' or ';'";
	if (address.find_first_of("<>\"") != std::string::npos) return "a plain address like name@example.com, without a display name";
	for (std::size_t i = 0; i < address.size(); ++i)
	{
		// PrintableText let through only valid UTF-8 without controls.
		if (address[i] == ' ') return "must not contain spaces";
		if (static_cast<unsigned char>(address[i]) >= 0x80)
			return "contains a non-ASCII character; only ASCII addresses can be sent (no SMTPUTF8)";
	}
	const std::size_t at = address.rfind('@');
	if (at == std::string::npos || address.find('@') != at) return "expected exactly one '@', as in name@example.com";
	const std::string local = address.substr(0, at);
	const std::string domain = address.substr(at + 1);
	if (local.empty() || local.size() > 64) return "the part before '@' must have 1 to 64 characters";
	if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
		return "the part before '@' must not start or end with '.' or contain '..'";
	for (char c : local)
		if (!(isAlphaNumeric(c) || std::string("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string::npos))
			return "'" + std::string(1, c) + "' is not allowed before '@'";
	if (domain.empty()) return "the domain after '@' is missing";
	if (domain.front() == '[') return "an address literal like [192.0.2.1] is not supported; use a domain name";
	if (!isDomain(domain)) return "the domain '" + domain + "' is not a valid host name";
	return {};
}

} // namespace Hookgate

#include "gateway/EmailAddress.h"

#include <cctype>

namespace Hookgate {

std::string EmailAddress::check(const std::string& address)
{
	const std::string quoted = "'" + address + "'";
	if (address.empty()) return "an address is required";
	if (address.size() > 254) return quoted + " is longer than 254 characters";
	if (address.find_first_of("\r\n") != std::string::npos) return "must not contain CR or LF";
	if (address.find_first_of("<>\"") != std::string::npos)
		return quoted + ": a plain address like name@example.com, without a display name";
	for (char c : address)
	{
		if (c == ',' || c == ';') return quoted + ": exactly one address, without ',' or ';'";
		if (c == '<' || c == '>' || c == '"') return quoted + ": a plain address like name@example.com, without a display name";
		if (std::isspace(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
			return quoted + " must not contain spaces or control characters";
	}
	const std::size_t at = address.rfind('@');
	if (at == std::string::npos || address.find('@') != at) return quoted + ": expected exactly one '@', as in name@example.com";
	const std::string local = address.substr(0, at);
	const std::string domain = address.substr(at + 1);
	if (local.empty() || local.size() > 64) return quoted + ": the part before '@' must have 1 to 64 characters";
	if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
		return quoted + ": the part before '@' must not start or end with '.' or contain '..'";
	for (char c : local)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string::npos))
			return quoted + ": '" + std::string(1, c) + "' is not allowed before '@'";
	if (domain.empty()) return quoted + ": the domain after '@' is missing";
	if (domain.front() == '[')
	{
		if (domain.back() != ']') return quoted + ": an address literal must end with ']'";
		return {};
	}
	std::size_t labelStart = 0;
	while (true)
	{
		const std::size_t dot = domain.find('.', labelStart);
		const std::string label = domain.substr(labelStart, dot == std::string::npos ? std::string::npos : dot - labelStart);
		if (label.empty() || label.size() > 63) return quoted + ": the domain '" + domain + "' is not a valid host name";
		if (label.front() == '-' || label.back() == '-') return quoted + ": the domain '" + domain + "' is not a valid host name";
		for (char c : label)
			if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-'))
				return quoted + ": the domain '" + domain + "' is not a valid host name";
		if (dot == std::string::npos) break;
		labelStart = dot + 1;
	}
	return {};
}

} // namespace Hookgate

#pragma once

#include <string>

namespace Hookgate {

/// One plain RFC 5321 mailbox (`local@domain`): no display name, no list, no address literal,
/// ASCII only. The one address check of the email channel: the API refuses what check()
/// refuses, and the email transports send to what it accepts.
class EmailAddress
{
public:
	static std::string check(const std::string& address);
		/// Returns an empty string if address is acceptable, else why not, without naming it
		/// (callers do): "exactly one address, without ',' or ';'", "contains the control
		/// character U+000A at character 14", ...

	static bool isDomain(const std::string& domain);
		/// A host name of dot-separated labels (letters, digits, '-' inside), at most 253 characters.

	static constexpr std::size_t MAX_ADDRESS = 254;
};

} // namespace Hookgate

#pragma once

#include <string>

namespace Hookgate {

/// One plain RFC 5321 mailbox (`local@domain`): no display name, no list, no CR/LF.
class EmailAddress
{
public:
	/// Empty if `address` is acceptable, else why not (for a 422 message).
	static std::string check(const std::string& address);
};

} // namespace Hookgate

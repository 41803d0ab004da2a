#pragma once

#include <string>

namespace Hookgate {

/// The rules of an account's fields (docs/api.md "Accounts"), shared by the API and the
/// accounts declared in the properties file.
class AccountRules
{
public:
	/// Empty if `id` is a valid account id (1-64 of [a-z0-9_-]), else why not, starting with "id: ".
	static std::string checkId(const std::string& id);
	/// Empty if `name` is a valid account name (at most 200 bytes, no control characters), else
	/// why not, starting with "name: ".
	static std::string checkName(const std::string& name);
};

} // namespace Hookgate

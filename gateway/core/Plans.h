#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {

/// The plans an account can be on (docs/api.md "Accounts"): their names, their default endpoint
/// limits (hookgate.plans.<plan>.endpoints overrides them) and what each includes.
class Plans
{
public:
	/// The plan of an account created without one.
	static const std::string DEFAULT;

	/// The plans with their default endpoint limits, smallest first.
	static const std::vector<std::pair<std::string, int>>& all();
	static std::map<std::string, int> defaultLimits();

	/// "basic, professional, business or enterprise", for messages.
	static std::string names();

	/// Whether events only the top plan has (lead.created) are open to `plan`.
	static bool includesEnterpriseEvents(const std::string& plan);
};

} // namespace Hookgate

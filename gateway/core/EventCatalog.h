#pragma once

#include <set>
#include <string>
#include <vector>

namespace Hookgate {

/// The event types an account may send, and the subscription patterns endpoints may use:
/// an exact type, `prefix.*` (every type starting with `prefix.`), or `*`.
class EventCatalog
{
public:
	/// The built-in catalog plus `extraTypes` (declared in the properties file).
	explicit EventCatalog(const std::vector<std::string>& extraTypes = {});

	bool contains(const std::string& type) const;
	const std::set<std::string>& types() const { return _types; }

	/// Empty if `pattern` is usable, else why not (for a 422 message).
	std::string checkPattern(const std::string& pattern) const;

	static bool matches(const std::string& pattern, const std::string& type);
	static bool matchesAny(const std::vector<std::string>& patterns, const std::string& type);

	/// Types available only on the enterprise plan.
	static bool isEnterpriseOnly(const std::string& type);
	/// Whether a subscription pattern would select enterprise-only types (`*` does not count).
	static bool patternNeedsEnterprise(const std::string& pattern);

private:
	std::set<std::string> _types;
};

} // namespace Hookgate

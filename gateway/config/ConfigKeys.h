#pragma once

#include <string>
#include <vector>

namespace Hookgate {

/// Every key of the properties file that the gateway reads, defined once. The check at start
/// (an unknown key stops it, naming the nearest known one), Settings::load (which reads only keys
/// of this table) and the shipped etc/hookgate.properties (a test compares both ways) agree with it.
///
/// A `*` in a key stands for one segment the operator chooses: an account id or an endpoint name
/// (`hookgate.accounts.*.endpoints.*.url`).
class ConfigKeys
{
public:
	/// The keys under `hookgate.`, in the order of etc/hookgate.properties.
	static const std::vector<std::string>& all();

	/// Whether key is in the table (a `*` matches any one non-empty segment).
	static bool known(const std::string& key);

	/// Whether key is an instance of the table's pattern.
	static bool matches(const std::string& pattern, const std::string& key);

	/// Keys outside `hookgate.` that Poco itself reads: `logging.loggers.*`, `logging.channels.*`
	/// and `logging.formatters.*` (Poco's LoggingConfigurator, applied after the gateway's own
	/// logging) and
	/// `application.*` (set by Poco at start; a value in the file does not override them).
	static bool poco(const std::string& key);

	/// The known key nearest to key (fewest edits), or empty when none is near enough to be a
	/// likely misspelling. A `*` of the table takes key's own segment.
	static std::string nearest(const std::string& key);
};

} // namespace Hookgate

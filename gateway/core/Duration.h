#pragma once

#include <Poco/Timespan.h>

#include <string>

namespace Hookgate {

/// Durations as written in the configuration: a whole number and a unit, `250ms`, `15s`, `5m`, `2h`, `60d`.
class Duration
{
public:
	/// The longest duration parse() accepts, in any unit (about 273 years).
	static constexpr Poco::Int64 MAX_DAYS = 100000;
	/// Throws Poco::SyntaxException with a message saying what is wrong (also for more than MAX_DAYS).
	static Poco::Timespan parse(const std::string& text);
	/// The shortest exact spelling (`90s` -> "90s", 120000 ms -> "2m").
	static std::string format(const Poco::Timespan& span);
};

} // namespace Hookgate

#pragma once

#include <Poco/Timespan.h>

#include <string>

namespace Hookgate {

/// Durations as written in the configuration: a whole number and a unit, `250ms`, `15s`, `5m`, `2h`, `60d`.
class Duration
{
public:
	/// Throws Poco::SyntaxException with a message saying what is wrong.
	static Poco::Timespan parse(const std::string& text);
	/// The shortest exact spelling (`90s` -> "90s", 120000 ms -> "2m").
	static std::string format(const Poco::Timespan& span);
};

} // namespace Hookgate

#include "gateway/core/Duration.h"

#include <Poco/Exception.h>
#include <Poco/NumberFormatter.h>
#include <Poco/String.h>

#include <cctype>
#include <limits>

namespace Hookgate {

Poco::Timespan Duration::parse(const std::string& input)
{
	const std::string text = Poco::trim(input);
	std::size_t i = 0;
	while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
	if (i == 0)
		throw Poco::SyntaxException("expected a whole number followed by ms, s, m, h or d (e.g. 15s), got '" + input + "'");
	if (i > 12) throw Poco::SyntaxException("duration too long: '" + input + "' (at most " + std::to_string(MAX_DAYS) + "d)");
	const Poco::Int64 n = std::stoll(text.substr(0, i));
	const std::string unit = Poco::trim(text.substr(i));
	Poco::Int64 unitMicros;
	if (unit == "ms") unitMicros = 1000;
	else if (unit == "s") unitMicros = Poco::Timespan::SECONDS;
	else if (unit == "m") unitMicros = Poco::Timespan::MINUTES;
	else if (unit == "h") unitMicros = Poco::Timespan::HOURS;
	else if (unit == "d") unitMicros = Poco::Timespan::DAYS;
	else throw Poco::SyntaxException("expected a unit of ms, s, m, h or d after the number, got '" + input + "'");
	// At most MAX_DAYS in any unit, checked before the multiplication (which could overflow).
	if (n > MAX_DAYS * Poco::Timespan::DAYS / unitMicros)
		throw Poco::SyntaxException("duration too long: '" + input + "' (at most " + std::to_string(MAX_DAYS) + "d)");
	const Poco::Int64 micros = n * unitMicros;
	return Poco::Timespan(micros);
}

std::string Duration::format(const Poco::Timespan& span)
{
	const Poco::Int64 ms = span.totalMilliseconds();
	if (ms != 0 && ms % (24 * 3600 * 1000LL) == 0) return Poco::NumberFormatter::format(ms / (24 * 3600 * 1000LL)) + "d";
	if (ms != 0 && ms % (3600 * 1000LL) == 0) return Poco::NumberFormatter::format(ms / (3600 * 1000LL)) + "h";
	if (ms != 0 && ms % (60 * 1000LL) == 0) return Poco::NumberFormatter::format(ms / (60 * 1000LL)) + "m";
	if (ms % 1000 == 0) return Poco::NumberFormatter::format(ms / 1000) + "s";
	return Poco::NumberFormatter::format(ms) + "ms";
}

} // namespace Hookgate

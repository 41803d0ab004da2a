#include "gateway/core/Iso8601.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>

#include <regex>

namespace Hookgate {

std::string Iso8601::format(Millis millis)
{
	return Poco::DateTimeFormatter::format(Poco::Timestamp(millis * 1000), "%Y-%m-%dT%H:%M:%S.%iZ");
}

Millis Iso8601::parse(const std::string& text)
{
	static const std::regex SHAPE(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))");
	if (!std::regex_match(text, SHAPE))
		throw Poco::SyntaxException("expected an ISO 8601 time such as 2026-11-27T16:05:09Z, got '" + text + "'");
	int tzd = 0;
	Poco::DateTime dt;
	if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, dt, tzd))
		throw Poco::SyntaxException("not a valid time: '" + text + "'");
	dt.makeUTC(tzd);
	return dt.timestamp().epochMicroseconds() / 1000;
}

} // namespace Hookgate

#pragma once

#include "gateway/core/Model.h"

#include <string>

namespace Hookgate {

/// Times on the wire: ISO 8601 UTC with a `Z` and milliseconds (`2026-11-27T16:05:09.123Z`).
class Iso8601
{
public:
	static std::string format(Millis millis);
	/// Parses any ISO 8601 time with a zone (`Z` or `+01:00`); throws Poco::SyntaxException.
	static Millis parse(const std::string& text);
};

} // namespace Hookgate

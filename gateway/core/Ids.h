#pragma once

#include <Poco/Types.h>

#include <string>

namespace Hookgate {

/// Opaque identifiers: a prefix (`msg_`, `ep_`, `dlv_`) and 24 characters of [A-Za-z0-9].
class Ids
{
public:
	/// The prefix and `length` random characters.
	static std::string make(const std::string& prefix, std::size_t length = 24);

	/// The prefix, 8 characters of the time (milliseconds since 1970 in base 62, so that ids
	/// sort by it) and 16 random characters (95 bits). Events and deliveries get these: their
	/// ids are indexed, and new keys that land next to each other touch one index page per
	/// commit where random ones touch one page each (the bulk of the bytes an ingest wrote).
	static std::string makeTimeOrdered(const std::string& prefix, Poco::Int64 millis);
};

} // namespace Hookgate

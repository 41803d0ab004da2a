#pragma once

#include <string>

namespace Hookgate {

/// What the payload of one event is built from (see PayloadBuilder).
struct EventEnvelope
{
	std::string id;       ///< "msg_..."
	std::string type;     ///< catalog type, e.g. "appointment.booking.created"
	std::string created;  ///< ISO 8601 UTC with Z, e.g. "2026-11-27T16:05:09Z"
	std::string source;   ///< hookgate.payload.source
	std::string dataRaw;  ///< the raw JSON text of the client's "data" object exactly as sent (already validated)

	/// Appends `{"id":…,"type":…,"created":…,"source":…` (no closing brace): the start that
	/// the nested and the flat payload share.
	void appendHead(std::string& out) const;
};

} // namespace Hookgate

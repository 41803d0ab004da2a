#pragma once

#include "gateway/payload/EventEnvelope.h"

#include <string>

namespace Hookgate {

/// The "flat" payload: the envelope keys, then every leaf of `data` as one top-level
/// key, its path joined with '.', in document order:
///
///     {"id":"msg_...","type":"...","created":"...","source":"...",
///      "appointment.customer.email":"erika@example.com","attendees.0.name":"Erika",...}
///
/// Compact (no whitespace). The rules, all of them deterministic and reversible:
///
/// - Leaves are strings, numbers, true, false and null; their raw text is copied byte for
///   byte (12345678901234567890123, 0.1, 1e400 and "\u00e9" arrive exactly as sent).
/// - An empty object or array is a leaf too: its value is `{}` or `[]` under its path
///   (`"tags":[]`), so an empty container is never lost. An empty `data` gives the
///   envelope keys alone.
/// - Array elements use their 0-based index as the path segment (`attendees.0.name`).
/// - Member names are decoded and re-encoded as JSON (so `"\u00fc"` becomes `"ü"`), and
///   in every name segment `~` is written `~0` and `.` is written `~1` (the escapes of
///   JSON Pointer, RFC 6901): `{"a.b":1,"a":{"b":2}}` gives `"a~1b":1,"a.b":2`. Two
///   different leaves therefore never share a key, and a receiver gets the segments back
///   by splitting at '.' and replacing `~1` by '.', then `~0` by '~'.
/// - A leaf whose key would read as an envelope key (`id`, `type`, `created`, `source`) and
///   every path whose first segment is `data` get the prefix `data.`:
///   `{"id":4711,"data":{"x":1}}` gives `"data.id":4711,"data.data.x":1`. So a key is an
///   envelope key, or `data.` + a path, or a path that does not start with `data`.
/// - The one remaining source of equal keys is the client itself: an object with the same
///   member name twice (which JSON allows). Both leaves are kept, in document order, under
///   the same key — exactly as the nested payload carries both members.
///
/// The walk is iterative (an explicit stack, JsonScanner::tokenize() without a depth limit):
/// no recursion on the C stack, whatever the depth of `data`.
class FlatPayload
{
public:
	/// Builds the flat payload of `event`. dataRaw must be the span of a JSON object.
	/// Throws Poco::InvalidArgumentException when it is not, Poco::DataFormatException
	/// when an envelope field is not valid UTF-8.
	static std::string build(const EventEnvelope& event);

	/// Appends `segment` (decoded UTF-8 text) to `out` as a flat key segment: `~` as `~0`,
	/// `.` as `~1`, then JSON-escaped (without quotes).
	static void appendSegment(std::string& out, const std::string& segment);
};

} // namespace Hookgate

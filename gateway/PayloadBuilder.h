#pragma once

#include <string>

namespace Hookgate {

/// What the payload of one event is built from.
struct EventEnvelope
{
	std::string id;       ///< "msg_..."
	std::string type;     ///< catalog type, e.g. "appointment.booking.created"
	std::string created;  ///< ISO 8601 UTC with Z, e.g. "2026-11-27T16:05:09Z"
	std::string source;   ///< hookgate.payload.source
	std::string dataRaw;  ///< the raw JSON text of the client's "data" object exactly as sent (already validated)
};

/// Builds the payload bytes of an event for an endpoint's JSON hierarchy.
///
/// The bytes are built once, at ingest, stored with the delivery and reused for every
/// attempt, replay, raw view, download and email attachment.
///
/// Hierarchies known today: "nested". "flat" and "template:<name>" will be added here
/// (build() dispatches on the hierarchy name; templates will be loaded by the constructor).
///
/// A PayloadBuilder is immutable once constructed; build() may be called from several
/// threads at once.
class PayloadBuilder
{
public:
	static const std::string NESTED;  ///< "nested"

	PayloadBuilder();

	/// Returns the payload of `event` in `hierarchy`.
	///
	/// "nested" gives exactly
	///   {"id":<id>,"type":<type>,"created":<created>,"source":<source>,"data":<dataRaw>}
	/// compact, the envelope strings encoded by JsonScanner::encodeString() and dataRaw
	/// copied byte for byte (key order, number spelling, escapes and unicode as sent).
	/// dataRaw is not validated again (the ingest path scanned it); it must be the span
	/// of an object, i.e. start with '{' and end with '}'.
	///
	/// Throws Poco::InvalidArgumentException for an unknown hierarchy or a dataRaw that is
	/// not an object span, and Poco::DataFormatException when an envelope field is not
	/// valid UTF-8.
	std::string build(const EventEnvelope& event, const std::string& hierarchy) const;

	/// The "nested" payload of `event` (see build()).
	static std::string buildNested(const EventEnvelope& event);

	/// True for the hierarchy names build() accepts: "nested" today.
	static bool isKnownHierarchy(const std::string& hierarchy);
};

} // namespace Hookgate

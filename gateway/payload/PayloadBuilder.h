#pragma once

#include "gateway/payload/EventEnvelope.h"
#include "gateway/payload/PayloadTemplate.h"

#include <map>
#include <string>
#include <vector>

namespace Hookgate {

/// Builds the payload bytes of an event for an endpoint's JSON hierarchy.
///
/// The bytes are built once, at ingest, stored with the delivery and reused for every
/// attempt, replay, raw view, download and email attachment.
///
/// Hierarchies: "nested" (buildNested()), "flat" (FlatPayload) and "template:<name>"
/// (PayloadTemplate, from `<templatesDir>/hierarchy/<name>.json`). No knowledge of
/// transports or stores.
///
/// Depth: the builder never recurses on the C stack (JsonScanner keeps an explicit stack,
/// flat and template walk its tokens in loops), so any `data` object is handled, whatever
/// its size or depth; the ingest path refuses documents nested deeper than 512 levels
/// (422) before anything is built.
///
/// A PayloadBuilder is immutable once constructed; build() may be called from several
/// threads at once.
class PayloadBuilder
{
public:
	static const std::string NESTED;           ///< "nested"
	static const std::string FLAT;             ///< "flat"
	static const std::string TEMPLATE_PREFIX;  ///< "template:"

	/// Loads and checks every `<templatesDir>/hierarchy/*.json` (file names starting with
	/// '.' are ignored). An empty templatesDir, or one without a hierarchy/ folder, gives
	/// no templates. Throws Poco::DataFormatException "<file>:<line>:<column>: <reason>"
	/// for a malformed template or a bad placeholder, or for a file name that is not a
	/// valid template name (letters, digits, '_', '-', '.'; at most 64 characters), and
	/// Poco::FileException when a file cannot be read. The server stops on either.
	explicit PayloadBuilder(const std::string& templatesDir = "");

	/// Returns the payload of `event` in `hierarchy`.
	///
	/// "nested" gives exactly
	///   {"id":<id>,"type":<type>,"created":<created>,"source":<source>,"data":<dataRaw>}
	/// compact, the envelope strings encoded by JsonScanner::encodeString() and dataRaw
	/// copied byte for byte (key order, number spelling, escapes and unicode as sent).
	/// dataRaw is not validated again (the ingest path scanned it); it must be the span
	/// of an object, i.e. start with '{' and end with '}'.
	/// "flat" and "template:<name>": see FlatPayload and PayloadTemplate.
	///
	/// Throws Poco::InvalidArgumentException for an unknown hierarchy or a dataRaw that is
	/// not an object span, and Poco::DataFormatException when an envelope field is not
	/// valid UTF-8.
	std::string build(const EventEnvelope& event, const std::string& hierarchy) const;

	/// The "nested" payload of `event` (see build()).
	static std::string buildNested(const EventEnvelope& event);

	/// The "flat" payload of `event` (see FlatPayload).
	static std::string buildFlat(const EventEnvelope& event);

	/// True for the hierarchies build() accepts: nested, flat and template:<name> for
	/// every template loaded by the constructor. Endpoints are checked with this.
	bool hasHierarchy(const std::string& hierarchy) const;

	/// The names of the loaded templates, sorted.
	std::vector<std::string> templateNames() const;

	/// True for the built-in hierarchies, "nested" and "flat" (templates need an instance:
	/// hasHierarchy()).
	static bool isKnownHierarchy(const std::string& hierarchy);

private:
	std::map<std::string, PayloadTemplate> _templates;
};

} // namespace Hookgate

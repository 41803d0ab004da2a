#pragma once

#include "gateway/payload/EventEnvelope.h"

#include <cstddef>
#include <string>
#include <vector>

namespace Hookgate {

/// A custom payload shape: `templates/hierarchy/<name>.json`, used by endpoints with the
/// hierarchy `template:<name>`.
///
/// The template is a JSON document, emitted compactly (whitespace between tokens removed,
/// everything else as written) with placeholders replaced:
///
/// - A string value that is exactly `"{{path}}"` becomes the typed value at that path of
///   the nested envelope: a string stays a string, a number a number (as sent, e.g.
///   12345678901234567890123), true/false/null themselves, an object or array its compact
///   JSON (the client's text without whitespace between tokens). A path that does not exist
///   gives `null`.
/// - `{{path}}` inside a longer string is replaced by the value's text: a string's
///   content, a number or true/false as written, an object or array as compact JSON;
///   null and missing values give the empty text. The text is JSON-escaped where it is
///   inserted (quotes and backslashes cannot break the document) and never HTML-escaped.
/// - Literal braces: `{{{{` is written as `{{`. `{` and `}` alone and `}}` outside a
///   placeholder are ordinary text.
/// - Paths: `id`, `type`, `created`, `source`, `data`, or `data.` followed by member names
///   and array indexes joined with '.' (`data.customer.email`, `data.attendees.0.name`).
///   Spaces around the path are ignored (`{{ data.x }}`). In a member name `~1` stands for
///   '.' and `~0` for '~' (as in flat keys). An index applies to arrays; on an object the
///   segment is a member name, "0" included. When an object has the same member name twice,
///   the first one is used.
/// - Member names of the template are copied as written; a placeholder in a member name is
///   an error (`{{{{` is allowed there for a literal `{{`).
/// - Strings, numbers and literals of the template are copied as written, except a string
///   holding `{{`: its literal text is decoded and JSON-encoded again (`\u00fc` there
///   becomes `ü`, a control character `\u000a` becomes `\n`).
///
/// Parsing checks everything that can be checked without an event: the JSON (strict, as
/// JsonScanner), every placeholder's syntax and root. Rendering cannot fail. Neither
/// parsing nor rendering recurses on the C stack (JsonScanner tokens, explicit loops), so
/// the depth of `data` does not matter; a template itself may be nested up to 512 levels.
///
/// A PayloadTemplate is immutable after parse(); render() may run on several threads.
class PayloadTemplate
{
public:
	/// Parses and checks the template text. `fileName` is used in error messages.
	/// Throws Poco::DataFormatException with "<fileName>:<line>:<column>: <reason>" (the
	/// position of the JSON error, or of the string holding the bad placeholder).
	static PayloadTemplate parse(const std::string& text, const std::string& fileName);

	/// Reads and parses a template file; an unreadable file throws Poco::FileException.
	static PayloadTemplate load(const std::string& path);

	/// The payload of `event`. dataRaw must be the span of a JSON object (it is not
	/// validated again unless the template reads into it); throws
	/// Poco::InvalidArgumentException when it is not, Poco::DataFormatException when an
	/// envelope field is not valid UTF-8.
	std::string render(const EventEnvelope& event) const;

private:
	enum class Root
	{
		Id,
		Type,
		Created,
		Source,
		Data
	};

	struct Segment
	{
		std::string name;     ///< the member name, decoded
		bool isIndex = false;  ///< name is a canonical non-negative integer
		std::size_t index = 0;
	};

	struct Op
	{
		enum Kind
		{
			Literal,   ///< copy `literal`
			Typed,     ///< the typed value at the path (a whole string value)
			Embedded   ///< the value's text, JSON-escaped, inside a string
		};
		Kind kind = Literal;
		std::string literal;
		Root root = Root::Data;
		std::vector<Segment> path;  ///< below data
	};

	PayloadTemplate() = default;

	void addLiteral(const std::string& text);
	void addLiteral(const char* text, std::size_t length);

	std::vector<Op> _ops;
	bool _readsData = false;  ///< some placeholder reads below data: render() tokenizes it
	std::size_t _literalSize = 0;
};

} // namespace Hookgate

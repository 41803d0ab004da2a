#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace Hookgate {

/// One top-level member of a scanned JSON object.
struct JsonMember
{
	std::string name;         ///< the member name, decoded to UTF-8
	std::size_t offset = 0;   ///< start of the raw value text in the scanned document
	std::size_t length = 0;   ///< length of the raw value text (no surrounding whitespace)
	char kind = 0;            ///< 'o' object, 'a' array, 's' string, 'n' number, 't' true, 'f' false, 'z' null
};

/// One token of a document scanned by JsonScanner::tokenize(), in document order.
///
/// A value is one token: kind as JsonMember::kind, offset/length its raw text (for an
/// object or array the whole container, brackets included). Inside an object every value
/// is preceded by a member-name token: kind 'k', offset/length the raw string literal of
/// the name, quotes included. `next` is the index of the token after this one and all
/// of its descendants, so a container's children are the tokens [index + 1, next) and a
/// reader skips a whole subtree by jumping to `next` (no recursion needed).
struct JsonToken
{
	char kind = 0;
	std::size_t offset = 0;
	std::size_t length = 0;
	std::size_t next = 0;
};

/// A strict RFC 8259 validator that also reports the top-level members of an object.
///
/// It builds no DOM and does not recurse: containers are tracked on an explicit stack,
/// so any nesting depth is handled without touching the C stack, and a single pass over
/// the bytes validates the whole document (no allocation per character).
///
/// Strictness: exactly one value with optional whitespace (space, tab, CR, LF) around it;
/// no comments, trailing commas, NaN/Infinity, leading zeros, '+1', '.5', '1.', byte order
/// mark or empty input. Strings must be valid UTF-8 (no overlong forms, no encoded
/// surrogates, nothing above U+10FFFF), control characters below 0x20 must be escaped, and
/// \u escapes must form valid code points (a high surrogate must be followed by a low one;
/// lone surrogates are rejected). Duplicate member names are accepted, as RFC 8259 allows.
/// Numbers are validated but kept as text: 12345678901234567890123 and 1e400 are fine.
///
/// Depth: every object or array counts one level, the outermost one included. "[]" is
/// 1 level deep, "[[]]" 2, a top-level scalar 0. A document is accepted when its depth
/// is <= maxDepth; with the default 512, 512 nested arrays pass and 513 are rejected
/// (the error points at the opening bracket of level 513).
///
/// A JsonScanner keeps its stack between calls to avoid reallocating it: use one instance
/// per thread (scan() is not const).
class JsonScanner
{
public:
	static constexpr std::size_t DEFAULT_MAX_DEPTH = 512;

	explicit JsonScanner(std::size_t maxDepth = DEFAULT_MAX_DEPTH);

	/// Validates `text` as ONE JSON value (whitespace around allowed, nothing after).
	/// topKind is set to the kind of that value (see JsonMember::kind). When it is an
	/// object, `members` is filled with its top-level members in document order (names
	/// decoded); otherwise `members` is left empty. `members` is cleared first.
	///
	/// Returns false and sets error() on invalid input or nesting deeper than maxDepth;
	/// members and topKind are then unspecified. Error texts look like
	///   invalid JSON at line 3, column 14: expected ',' or '}'
	///   JSON nested deeper than 512 levels at line 1, column 513
	/// Lines count LF characters, columns count UTF-8 characters, both from 1. At the end
	/// of the input the position is one past the last character.
	bool scan(const std::string& text, std::vector<JsonMember>& members, char& topKind);

	/// Validates `text` as one JSON value without collecting members.
	bool validate(const std::string& text);

	/// Validates `text` like validate() and fills `tokens` (cleared first) with every
	/// value and member name of it, in document order (see JsonToken). One pass, no
	/// recursion. Returns false and sets error() as scan() does.
	bool tokenize(const std::string& text, std::vector<JsonToken>& tokens);

	/// Validates `text` like tokenize() and also refuses a member name that appears twice in
	/// one object, at any depth (names compared decoded: "a" and "\u0061" are the same), with an
	/// error naming it: `invalid JSON at line 1, column 12: duplicate member name "id"`. RFC 8259
	/// allows duplicates but leaves their meaning open; two parsers of one body may read different
	/// values, so the API takes none.
	bool tokenizeUnique(const std::string& text, std::vector<JsonToken>& tokens);

	/// The top-level members of a tokenized object (tokens[0]), as scan() reports them.
	static std::vector<JsonMember> membersOf(const std::string& text, const std::vector<JsonToken>& tokens);

	/// The reason of the last failed scan(), for people; empty after a successful one.
	const std::string& error() const;

	/// Byte offset of the last error in the scanned text.
	std::size_t errorOffset() const;

	/// True when the last scan failed only because the document is nested deeper than
	/// maxDepth() (the text may be otherwise valid); false after a success or another error.
	bool depthExceeded() const;

	std::size_t maxDepth() const;

	/// Decodes a raw JSON string literal (with its quotes) into UTF-8: all escapes,
	/// including \uXXXX and surrogate pairs. Throws Poco::DataFormatException on malformed
	/// input (missing quotes, bad escapes, lone surrogates, unescaped control characters,
	/// invalid UTF-8, anything after the closing quote).
	static std::string decodeString(const std::string& raw);

	/// Encodes UTF-8 text as a JSON string literal with quotes: '"' and '\\' are escaped,
	/// control characters below 0x20 become \b \f \n \r \t or \u00XX; every other byte,
	/// multi-byte UTF-8 included, is copied unchanged. Throws Poco::DataFormatException
	/// when `text` is not valid UTF-8 (the result would not be valid JSON).
	static std::string encodeString(const std::string& text);

	/// Appends the encoded form of `text` (as encodeString()) to `out`.
	static void appendEncodedString(std::string& out, const std::string& text);
	/// The 1-based line and column (in UTF-8 characters) of byte `offset` of `text`.
	static void lineAndColumn(const std::string& text, std::size_t offset, std::size_t& line, std::size_t& column);

	/// True when `text` is valid UTF-8 by the rules used for JSON strings.
	static bool isValidUTF8(const std::string& text);

private:
	bool run(const std::string& text, std::vector<JsonMember>* members, std::vector<JsonToken>* tokens, char& topKind);
	bool fail(const std::string& text, std::size_t offset, const char* reason);
	bool failDepth(const std::string& text, std::size_t offset);

	std::size_t _maxDepth;
	std::vector<char> _stack;
	std::vector<std::size_t> _tokenStack;  ///< with tokenize(): the token index of each open container
	std::string _error;
	std::size_t _errorOffset = 0;
	bool _depthExceeded = false;
};

} // namespace Hookgate

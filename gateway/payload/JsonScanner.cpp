#include "gateway/payload/JsonScanner.h"

#include <algorithm>
#include <string_view>

#include <Poco/Exception.h>

#include <cstdint>

namespace Hookgate {

namespace {

struct CharTable
{
	unsigned char v[256];
};

/// 1 for the bytes a string may hold as they are: printable ASCII except '"' and '\\'.
constexpr CharTable makePlainTable()
{
	CharTable t{};
	for (int i = 0x20; i < 0x80; ++i) t.v[i] = 1;
	t.v[static_cast<unsigned char>('"')] = 0;
	t.v[static_cast<unsigned char>('\\')] = 0;
	return t;
}

constexpr CharTable PLAIN = makePlainTable();

inline bool isDigit(char c)
{
	return c >= '0' && c <= '9';
}

inline bool isWhitespace(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline void skipWhitespace(const char* d, std::size_t n, std::size_t& pos)
{
	while (pos < n && isWhitespace(d[pos])) ++pos;
}

inline int hexValue(unsigned char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/// Reads 4 hex digits at d[pos]; -1 when there are not 4 of them.
inline long readHex4(const char* d, std::size_t n, std::size_t pos)
{
	if (pos > n || n - pos < 4) return -1;
	long v = 0;
	for (std::size_t k = 0; k < 4; ++k)
	{
		const int h = hexValue(static_cast<unsigned char>(d[pos + k]));
		if (h < 0) return -1;
		v = (v << 4) | h;
	}
	return v;
}

/// Length of the valid UTF-8 sequence at d[pos] (whose lead byte is >= 0x80), 0 when invalid:
/// no overlong forms, no encoded surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
inline std::size_t utf8SequenceLength(const char* d, std::size_t n, std::size_t pos)
{
	const unsigned char* p = reinterpret_cast<const unsigned char*>(d) + pos;
	const std::size_t avail = n - pos;
	const unsigned char c = p[0];
	if (c >= 0xC2 && c <= 0xDF)
	{
		return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
	}
	if (c >= 0xE0 && c <= 0xEF)
	{
		if (avail < 3) return 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xE0) lo = 0xA0;
		else if (c == 0xED) hi = 0x9F;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4)
	{
		if (avail < 4) return 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xF0) lo = 0x90;
		else if (c == 0xF4) hi = 0x8F;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
		return 4;
	}
	return 0;
}

inline void appendUTF8(std::string& out, std::uint32_t cp)
{
	if (cp < 0x80)
	{
		out += static_cast<char>(cp);
	}
	else if (cp < 0x800)
	{
		out += static_cast<char>(0xC0 | (cp >> 6));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		out += static_cast<char>(0xE0 | (cp >> 12));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
	else
	{
		out += static_cast<char>(0xF0 | (cp >> 18));
		out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
}

struct ScanError
{
	std::size_t offset = 0;
	const char* reason = "";
};

/// Scans the string literal whose opening quote is at d[pos]. On success pos is moved past
/// the closing quote, and with Decode the decoded text is appended to *out. hasEscapes
/// tells whether the literal contains a backslash.
template <bool Decode>
bool scanString(const char* d, std::size_t n, std::size_t& pos, std::string* out, bool& hasEscapes, ScanError& err)
{
	std::size_t i = pos + 1;
	hasEscapes = false;
	for (;;)
	{
		const std::size_t runStart = i;
		while (i < n && PLAIN.v[static_cast<unsigned char>(d[i])]) ++i;
		if (Decode && i > runStart) out->append(d + runStart, i - runStart);
		if (i >= n)
		{
			err = {n, "unterminated string"};
			return false;
		}
		const unsigned char c = static_cast<unsigned char>(d[i]);
		if (c == '"')
		{
			pos = i + 1;
			return true;
		}
		if (c == '\\')
		{
			hasEscapes = true;
			if (i + 1 >= n)
			{
				err = {n, "unterminated string"};
				return false;
			}
			char decoded = 0;
			switch (d[i + 1])
			{
			case '"': decoded = '"'; break;
			case '\\': decoded = '\\'; break;
			case '/': decoded = '/'; break;
			case 'b': decoded = '\b'; break;
			case 'f': decoded = '\f'; break;
			case 'n': decoded = '\n'; break;
			case 'r': decoded = '\r'; break;
			case 't': decoded = '\t'; break;
			case 'u':
				{
					const long u = readHex4(d, n, i + 2);
					if (u < 0)
					{
						err = {i, "expected 4 hex digits after \\u"};
						return false;
					}
					std::uint32_t cp = static_cast<std::uint32_t>(u);
					std::size_t next = i + 6;
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						long low = -1;
						if (n - next >= 6 && d[next] == '\\' && d[next + 1] == 'u') low = readHex4(d, n, next + 2);
						if (low < 0xDC00 || low > 0xDFFF)
						{
							err = {i, "high surrogate escape not followed by a low surrogate escape"};
							return false;
						}
						cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(low) - 0xDC00);
						next += 6;
					}
					else if (cp >= 0xDC00 && cp <= 0xDFFF)
					{
						err = {i, "low surrogate escape without a preceding high surrogate"};
						return false;
					}
					if (Decode) appendUTF8(*out, cp);
					i = next;
					continue;
				}
			default:
				err = {i, "invalid escape sequence in string"};
				return false;
			}
			if (Decode) *out += decoded;
			i += 2;
			continue;
		}
		if (c < 0x20)
		{
			err = {i, "control character in string must be escaped"};
			return false;
		}
		const std::size_t len = utf8SequenceLength(d, n, i);
		if (len == 0)
		{
			err = {i, "invalid UTF-8 in string"};
			return false;
		}
		if (Decode) out->append(d + i, len);
		i += len;
	}
}

/// Scans the number at d[pos] (a '-' or a digit). On success pos is moved past it.
bool scanNumber(const char* d, std::size_t n, std::size_t& pos, ScanError& err)
{
	std::size_t i = pos;
	if (d[i] == '-')
	{
		++i;
		if (i >= n || !isDigit(d[i]))
		{
			err = {i, "expected a digit after '-'"};
			return false;
		}
	}
	if (d[i] == '0')
	{
		++i;
		if (i < n && isDigit(d[i]))
		{
			err = {i, "leading zeros are not allowed in numbers"};
			return false;
		}
	}
	else
	{
		while (i < n && isDigit(d[i])) ++i;
	}
	if (i < n && d[i] == '.')
	{
		++i;
		if (i >= n || !isDigit(d[i]))
		{
			err = {i, "expected a digit after the decimal point"};
			return false;
		}
		while (i < n && isDigit(d[i])) ++i;
	}
	if (i < n && (d[i] == 'e' || d[i] == 'E'))
	{
		++i;
		if (i < n && (d[i] == '+' || d[i] == '-')) ++i;
		if (i >= n || !isDigit(d[i]))
		{
			err = {i, "expected a digit in the exponent"};
			return false;
		}
		while (i < n && isDigit(d[i])) ++i;
	}
	pos = i;
	return true;
}

/// Checks the literal `word` at d[pos]. On success pos is moved past it.
bool scanLiteral(const char* d, std::size_t n, std::size_t& pos, const char* word, std::size_t length, ScanError& err)
{
	for (std::size_t k = 0; k < length; ++k)
	{
		if (pos + k >= n || d[pos + k] != word[k])
		{
			err = {pos + k, word[0] == 't' ? "invalid literal, expected 'true'" : word[0] == 'f' ? "invalid literal, expected 'false'" : "invalid literal, expected 'null'"};
			return false;
		}
	}
	pos += length;
	return true;
}

/// Completes the token of the container that just closed (its closing bracket ends at end).
inline void closeToken(std::vector<JsonToken>& tokens, std::vector<std::size_t>& open, std::size_t end)
{
	JsonToken& t = tokens[open.back()];
	open.pop_back();
	t.length = end - t.offset;
	t.next = tokens.size();
}


} // namespace


JsonScanner::JsonScanner(std::size_t maxDepth):
	_maxDepth(maxDepth)
{
}


bool JsonScanner::scan(const std::string& text, std::vector<JsonMember>& members, char& topKind)
{
	return run(text, &members, nullptr, topKind);
}


bool JsonScanner::validate(const std::string& text)
{
	char topKind = 0;
	return run(text, nullptr, nullptr, topKind);
}


bool JsonScanner::tokenize(const std::string& text, std::vector<JsonToken>& tokens)
{
	char topKind = 0;
	return run(text, nullptr, &tokens, topKind);
}


bool JsonScanner::tokenizeUnique(const std::string& text, std::vector<JsonToken>& tokens)
{
	if (!tokenize(text, tokens)) return false;
	// Per object: its names as raw text between the quotes, decoded only when they hold an
	// escape (most never do).
	struct Name
	{
		std::string_view text;
		std::size_t offset;
	};
	std::vector<Name> names;
	std::vector<std::string> decoded;
	std::vector<std::size_t> order;
	for (std::size_t i = 0; i < tokens.size(); ++i)
	{
		if (tokens[i].kind != 'o') continue;
		names.clear();
		decoded.clear();
		// Room for every name up front: the views into `decoded` must not move.
		std::size_t count = 0;
		for (std::size_t j = i + 1; j < tokens[i].next && j + 1 < tokens.size(); j = tokens[j + 1].next) ++count;
		if (count < 2) continue;
		decoded.reserve(count);
		for (std::size_t j = i + 1; j < tokens[i].next && j + 1 < tokens.size(); j = tokens[j + 1].next)
		{
			std::string_view raw(text.data() + tokens[j].offset + 1, tokens[j].length - 2);
			if (raw.find('\\') != std::string_view::npos)
			{
				decoded.push_back(decodeString(text.substr(tokens[j].offset, tokens[j].length)));
				raw = decoded.back();
			}
			names.push_back(Name{raw, tokens[j].offset});
		}
		// Sorted by name (stably: equal names stay in document order), a duplicate is a neighbour.
		order.resize(names.size());
		for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
		std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return names[x].text < names[y].text; });
		std::size_t first = 0, second = 0;
		bool found = false;
		for (std::size_t k = 1; k < order.size() && !found; ++k)
		{
			if (names[order[k]].text != names[order[k - 1]].text) continue;
			first = order[k - 1];
			second = order[k];
			found = true;
		}
		if (!found) continue;
		std::string shown;
		appendEncodedString(shown, std::string(names[first].text));
		fail(text, names[second].offset, ("duplicate member name " + shown).c_str());  // the later one
		return false;
	}
	return true;
}

std::vector<JsonMember> JsonScanner::membersOf(const std::string& text, const std::vector<JsonToken>& tokens)
{
	std::vector<JsonMember> out;
	if (tokens.empty() || tokens[0].kind != 'o') return out;
	for (std::size_t j = 1; j < tokens[0].next && j + 1 < tokens.size(); j = tokens[j + 1].next)
	{
		const JsonToken& value = tokens[j + 1];
		out.push_back(JsonMember{decodeString(text.substr(tokens[j].offset, tokens[j].length)), value.offset, value.length, value.kind});
	}
	return out;
}

const std::string& JsonScanner::error() const
{
	return _error;
}


std::size_t JsonScanner::errorOffset() const
{
	return _errorOffset;
}


bool JsonScanner::depthExceeded() const
{
	return _depthExceeded;
}


std::size_t JsonScanner::maxDepth() const
{
	return _maxDepth;
}


bool JsonScanner::fail(const std::string& text, std::size_t offset, const char* reason)
{
	std::size_t line, column;
	lineAndColumn(text, offset, line, column);
	_errorOffset = offset;
	_error = "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + reason;
	return false;
}


bool JsonScanner::failDepth(const std::string& text, std::size_t offset)
{
	std::size_t line, column;
	lineAndColumn(text, offset, line, column);
	_errorOffset = offset;
	_depthExceeded = true;
	_error = "JSON nested deeper than " + std::to_string(_maxDepth) + " levels at line " + std::to_string(line) + ", column " + std::to_string(column);
	return false;
}


bool JsonScanner::run(const std::string& text, std::vector<JsonMember>* members, std::vector<JsonToken>* tokens, char& topKind)
{
	_stack.clear();
	_tokenStack.clear();
	_error.clear();
	_errorOffset = 0;
	_depthExceeded = false;
	topKind = 0;
	if (members) members->clear();
	if (tokens) tokens->clear();

	const char* d = text.data();
	const std::size_t n = text.size();
	std::size_t pos = 0;
	bool collect = false; // collecting the members of a top-level object
	bool hasEscapes = false;
	ScanError err;

	// Reads `"name" :` at pos (whitespace after it skipped); records the member when collecting.
	auto readMemberName = [&](const char* expected) -> bool
	{
		if (pos >= n) return fail(text, n, "unexpected end of input, expected a string member name");
		if (d[pos] != '"') return fail(text, pos, expected);
		const std::size_t start = pos;
		if (!scanString<false>(d, n, pos, nullptr, hasEscapes, err)) return fail(text, err.offset, err.reason);
		if (tokens) tokens->push_back(JsonToken{'k', start, pos - start, tokens->size() + 1});
		if (collect && _stack.size() == 1)
		{
			members->emplace_back();
			JsonMember& m = members->back();
			if (hasEscapes)
			{
				std::size_t p = start;
				scanString<true>(d, n, p, &m.name, hasEscapes, err);
			}
			else
			{
				m.name.assign(d + start + 1, pos - start - 2);
			}
		}
		skipWhitespace(d, n, pos);
		if (pos >= n) return fail(text, n, "unexpected end of input, expected ':'");
		if (d[pos] != ':') return fail(text, pos, "expected ':' after the member name");
		++pos;
		skipWhitespace(d, n, pos);
		return true;
	};

	skipWhitespace(d, n, pos);
	if (pos >= n) return fail(text, 0, "the document is empty");

	for (;;)
	{
		// A value starts at pos (whitespace already skipped).
		if (pos >= n) return fail(text, n, "unexpected end of input, expected a value");
		const char c = d[pos];
		char kind = 0;
		switch (c)
		{
		case '{': kind = 'o'; break;
		case '[': kind = 'a'; break;
		case '"': kind = 's'; break;
		case 't': kind = 't'; break;
		case 'f': kind = 'f'; break;
		case 'n': kind = 'z'; break;
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			kind = 'n';
			break;
		default:
			return fail(text, pos, "expected a value");
		}
		if (topKind == 0)
		{
			topKind = kind;
			collect = members != nullptr && kind == 'o';
		}
		if (collect && _stack.size() == 1)
		{
			members->back().offset = pos;
			members->back().kind = kind;
		}
		if (tokens) tokens->push_back(JsonToken{kind, pos, 0, 0});

		switch (kind)
		{
		case 'o':
		case 'a':
			if (_stack.size() >= _maxDepth) return failDepth(text, pos);
			_stack.push_back(kind);
			if (tokens) _tokenStack.push_back(tokens->size() - 1);
			++pos;
			skipWhitespace(d, n, pos);
			if (kind == 'o')
			{
				if (pos < n && d[pos] == '}')
				{
					_stack.pop_back();
					if (tokens) _tokenStack.pop_back();
					++pos;
					break; // an empty object is a complete value
				}
				if (!readMemberName("expected a string member name or '}'")) return false;
				continue; // its first member's value
			}
			if (pos < n && d[pos] == ']')
			{
				_stack.pop_back();
				if (tokens) _tokenStack.pop_back();
				++pos;
				break; // an empty array is a complete value
			}
			continue; // its first element
		case 's':
			if (!scanString<false>(d, n, pos, nullptr, hasEscapes, err)) return fail(text, err.offset, err.reason);
			break;
		case 'n':
			if (!scanNumber(d, n, pos, err)) return fail(text, err.offset, err.reason);
			break;
		case 't':
			if (!scanLiteral(d, n, pos, "true", 4, err)) return fail(text, err.offset, err.reason);
			break;
		case 'f':
			if (!scanLiteral(d, n, pos, "false", 5, err)) return fail(text, err.offset, err.reason);
			break;
		default:
			if (!scanLiteral(d, n, pos, "null", 4, err)) return fail(text, err.offset, err.reason);
			break;
		}

		// A value ended at pos: close containers until one expects another element.
		if (tokens)
		{
			// A scalar or an empty container: its token is the last one pushed.
			JsonToken& t = tokens->back();
			t.length = pos - t.offset;
			t.next = tokens->size();
		}
		for (;;)
		{
			if (collect && _stack.size() == 1)
			{
				JsonMember& m = members->back();
				m.length = pos - m.offset;
			}
			skipWhitespace(d, n, pos);
			if (_stack.empty())
			{
				if (pos != n) return fail(text, pos, "unexpected data after the JSON value");
				return true;
			}
			if (_stack.back() == 'o')
			{
				if (pos >= n) return fail(text, n, "unexpected end of input, expected ',' or '}'");
				if (d[pos] == ',')
				{
					++pos;
					skipWhitespace(d, n, pos);
					if (!readMemberName("expected a string member name")) return false;
					break;
				}
				if (d[pos] == '}')
				{
					_stack.pop_back();
					++pos;
					if (tokens) closeToken(*tokens, _tokenStack, pos);
					continue;
				}
				return fail(text, pos, "expected ',' or '}'");
			}
			if (pos >= n) return fail(text, n, "unexpected end of input, expected ',' or ']'");
			if (d[pos] == ',')
			{
				++pos;
				skipWhitespace(d, n, pos);
				break;
			}
			if (d[pos] == ']')
			{
				_stack.pop_back();
				++pos;
				if (tokens) closeToken(*tokens, _tokenStack, pos);
				continue;
			}
			return fail(text, pos, "expected ',' or ']'");
		}
	}
}


std::string JsonScanner::decodeString(const std::string& raw)
{
	if (raw.empty() || raw[0] != '"')
	{
		throw Poco::DataFormatException("JSON string literal must start with '\"'");
	}
	std::string out;
	out.reserve(raw.size());
	std::size_t pos = 0;
	bool hasEscapes = false;
	ScanError err;
	if (!scanString<true>(raw.data(), raw.size(), pos, &out, hasEscapes, err))
	{
		throw Poco::DataFormatException(std::string("invalid JSON string literal at byte ") + std::to_string(err.offset) + ": " + err.reason);
	}
	if (pos != raw.size())
	{
		throw Poco::DataFormatException("invalid JSON string literal at byte " + std::to_string(pos) + ": unexpected data after the closing quote");
	}
	return out;
}


std::string JsonScanner::encodeString(const std::string& text)
{
	std::string out;
	appendEncodedString(out, text);
	return out;
}


void JsonScanner::appendEncodedString(std::string& out, const std::string& text)
{
	static const char HEX[] = "0123456789abcdef";
	const char* d = text.data();
	const std::size_t n = text.size();
	out.reserve(out.size() + n + 2);
	out += '"';
	std::size_t i = 0;
	while (i < n)
	{
		const std::size_t runStart = i;
		while (i < n && PLAIN.v[static_cast<unsigned char>(d[i])]) ++i;
		if (i > runStart) out.append(d + runStart, i - runStart);
		if (i >= n) break;
		const unsigned char c = static_cast<unsigned char>(d[i]);
		if (c >= 0x80)
		{
			const std::size_t len = utf8SequenceLength(d, n, i);
			if (len == 0)
			{
				throw Poco::DataFormatException("cannot encode a JSON string: invalid UTF-8 at byte " + std::to_string(i));
			}
			out.append(d + i, len);
			i += len;
			continue;
		}
		switch (c)
		{
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			out += "\\u00";
			out += HEX[c >> 4];
			out += HEX[c & 0x0F];
			break;
		}
		++i;
	}
	out += '"';
}


bool JsonScanner::isValidUTF8(const std::string& text)
{
	const char* d = text.data();
	const std::size_t n = text.size();
	std::size_t i = 0;
	while (i < n)
	{
		if (static_cast<unsigned char>(d[i]) < 0x80)
		{
			++i;
			continue;
		}
		const std::size_t len = utf8SequenceLength(d, n, i);
		if (len == 0) return false;
		i += len;
	}
	return true;
}

void JsonScanner::lineAndColumn(const std::string& text, std::size_t offset, std::size_t& line, std::size_t& column)
{
	line = 1;
	column = 1;
	if (offset > text.size()) offset = text.size();
	for (std::size_t i = 0; i < offset; ++i)
	{
		const unsigned char b = static_cast<unsigned char>(text[i]);
		if (b == '\n')
		{
			++line;
			column = 1;
		}
		else if ((b & 0xC0) != 0x80)
		{
			++column;
		}
	}
}

} // namespace Hookgate

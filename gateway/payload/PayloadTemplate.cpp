#include "gateway/payload/PayloadTemplate.h"

#include "gateway/payload/JsonScanner.h"

#include <Poco/Exception.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace Hookgate {

namespace {

/// A value found in the data: kind as JsonToken::kind, 0 when missing.
struct ValueRef
{
	char kind = 0;
	const char* text = nullptr;
	std::size_t length = 0;
};

std::string position(const std::string& text, std::size_t offset)
{
	std::size_t line = 1, column = 1;
	JsonScanner::lineAndColumn(text, offset, line, column);
	return std::to_string(line) + ":" + std::to_string(column);
}

/// The scanner's message without its " at line L, column C" part (the caller prefixes
/// file:line:column).
std::string withoutPosition(const std::string& error)
{
	const std::size_t at = error.find(" at line ");
	if (at == std::string::npos) return error;
	const std::size_t colon = error.find(':', at);
	return error.substr(0, at) + (colon == std::string::npos ? std::string() : error.substr(colon));
}

[[noreturn]] void failAt(const std::string& fileName, const std::string& text, std::size_t offset, const std::string& reason)
{
	throw Poco::DataFormatException(fileName + ":" + position(text, offset) + ": " + reason);
}

/// `text` JSON-escaped without the quotes.
void appendEscapedText(std::string& out, const std::string& text)
{
	const std::string encoded = JsonScanner::encodeString(text);
	out.append(encoded, 1, encoded.size() - 2);
}

inline bool isWhitespace(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/// Appends the JSON text p[0, length) without the whitespace between tokens.
void appendCompact(std::string& out, const char* p, std::size_t length)
{
	bool inString = false;
	for (std::size_t i = 0; i < length; ++i)
	{
		const char c = p[i];
		if (inString)
		{
			out += c;
			if (c == '\\') out += p[++i];
			else if (c == '"') inString = false;
		}
		else if (!isWhitespace(c))
		{
			out += c;
			if (c == '"') inString = true;
		}
	}
}

/// True when the raw member name (quotes included) decodes to `name`.
bool nameEquals(const char* raw, std::size_t length, const std::string& name)
{
	const char* inner = raw + 1;
	const std::size_t innerLength = length - 2;
	if (!std::memchr(inner, '\\', innerLength))
	{
		return innerLength == name.size() && std::memcmp(inner, name.data(), innerLength) == 0;
	}
	return JsonScanner::decodeString(std::string(raw, length)) == name;
}

} // namespace


void PayloadTemplate::addLiteral(const char* text, std::size_t length)
{
	if (length == 0) return;
	if (_ops.empty() || _ops.back().kind != Op::Literal)
	{
		_ops.emplace_back();
	}
	_ops.back().literal.append(text, length);
	_literalSize += length;
}


void PayloadTemplate::addLiteral(const std::string& text)
{
	addLiteral(text.data(), text.size());
}


PayloadTemplate PayloadTemplate::parse(const std::string& text, const std::string& fileName)
{
	JsonScanner scanner;
	std::vector<JsonToken> tokens;
	if (!scanner.tokenize(text, tokens))
	{
		failAt(fileName, text, scanner.errorOffset(), withoutPosition(scanner.error()));
	}

	PayloadTemplate result;

	// Parses the placeholder path `spec` (the text between {{ and }}) into `op`.
	auto parsePath = [&](const std::string& spec, Op& op, std::size_t offset)
	{
		const std::string shown = "placeholder '{{" + spec + "}}'";
		std::size_t b = 0, e = spec.size();
		while (b < e && (spec[b] == ' ' || spec[b] == '\t')) ++b;
		while (e > b && (spec[e - 1] == ' ' || spec[e - 1] == '\t')) --e;
		const std::string path = spec.substr(b, e - b);
		if (path.empty()) failAt(fileName, text, offset, shown + ": the path is empty");
		if (path.find_first_of("{}") != std::string::npos)
			failAt(fileName, text, offset, shown + ": '{' and '}' are not allowed in a path (write '{{{{' for a literal '{{')");
		std::vector<std::string> segments;
		std::size_t start = 0;
		for (;;)
		{
			const std::size_t dot = path.find('.', start);
			const std::string raw = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
			if (raw.empty()) failAt(fileName, text, offset, shown + ": empty segment in the path (two dots, or a dot at an end)");
			std::string segment;
			for (std::size_t k = 0; k < raw.size(); ++k)
			{
				if (raw[k] != '~')
				{
					segment += raw[k];
					continue;
				}
				if (k + 1 < raw.size() && raw[k + 1] == '0') segment += '~';
				else if (k + 1 < raw.size() && raw[k + 1] == '1') segment += '.';
				else failAt(fileName, text, offset, shown + ": '~' must be followed by 0 (for '~') or 1 (for '.')");
				++k;
			}
			segments.push_back(segment);
			if (dot == std::string::npos) break;
			start = dot + 1;
		}
		const std::string& root = segments[0];
		if (root == "data") op.root = Root::Data;
		else if (root == "id") op.root = Root::Id;
		else if (root == "type") op.root = Root::Type;
		else if (root == "created") op.root = Root::Created;
		else if (root == "source") op.root = Root::Source;
		else failAt(fileName, text, offset, shown + ": unknown field '" + root + "'; a path starts with id, type, created, source or data");
		if (op.root != Root::Data && segments.size() > 1)
			failAt(fileName, text, offset, shown + ": '" + root + "' is a string and has no members");
		for (std::size_t k = 1; k < segments.size(); ++k)
		{
			Segment s;
			s.name = segments[k];
			const std::string& n = s.name;
			s.isIndex = n.size() <= 18 && n.find_first_not_of("0123456789") == std::string::npos && (n.size() == 1 || n[0] != '0');
			if (s.isIndex) s.index = static_cast<std::size_t>(std::stoull(n));
			op.path.push_back(s);
		}
		if (op.root == Root::Data && !op.path.empty()) result._readsData = true;
	};

	// A string of the template (a value, or a member name when isName).
	auto addString = [&](const JsonToken& token, bool isName)
	{
		const std::string raw = text.substr(token.offset, token.length);
		const std::string decoded = JsonScanner::decodeString(raw);
		if (decoded.find("{{") == std::string::npos)
		{
			result.addLiteral(raw);
			return;
		}
		std::vector<Op> pieces;  // Literal pieces hold decoded text here
		std::size_t pos = 0;
		int placeholders = 0;
		for (;;)
		{
			const std::size_t open = decoded.find("{{", pos);
			if (open == std::string::npos)
			{
				if (pos < decoded.size())
				{
					pieces.emplace_back();
					pieces.back().literal = decoded.substr(pos);
				}
				break;
			}
			if (open > pos)
			{
				pieces.emplace_back();
				pieces.back().literal = decoded.substr(pos, open - pos);
			}
			if (decoded.compare(open, 4, "{{{{") == 0)
			{
				pieces.emplace_back();
				pieces.back().literal = "{{";
				pos = open + 4;
				continue;
			}
			const std::size_t close = decoded.find("}}", open + 2);
			if (close == std::string::npos)
				failAt(fileName, text, token.offset, "'{{' without a closing '}}' (write '{{{{' for a literal '{{')");
			const std::string spec = decoded.substr(open + 2, close - open - 2);
			if (isName)
				failAt(fileName, text, token.offset, "placeholder '{{" + spec + "}}' in a member name; placeholders are allowed in string values only (write '{{{{' for a literal '{{')");
			pieces.emplace_back();
			pieces.back().kind = Op::Embedded;
			parsePath(spec, pieces.back(), token.offset);
			++placeholders;
			pos = close + 2;
		}
		if (pieces.size() == 1 && placeholders == 1)
		{
			pieces[0].kind = Op::Typed;
			result._ops.push_back(pieces[0]);
			return;
		}
		result.addLiteral("\"", 1);
		for (auto& piece : pieces)
		{
			if (piece.kind == Op::Literal)
			{
				std::string escaped;
				appendEscapedText(escaped, piece.literal);
				result.addLiteral(escaped);
			}
			else
			{
				result._ops.push_back(piece);
			}
		}
		result.addLiteral("\"", 1);
	};

	// The template, compact: an explicit stack of open containers, no recursion.
	struct Open
	{
		std::size_t next;
		char kind;
		bool first;
	};
	std::vector<Open> open;
	auto closeLast = [&]
	{
		result.addLiteral(open.back().kind == 'o' ? "}" : "]", 1);
		open.pop_back();
	};
	std::size_t i = 0;
	while (i < tokens.size())
	{
		while (!open.empty() && open.back().next == i) closeLast();
		if (!open.empty())
		{
			if (!open.back().first) result.addLiteral(",", 1);
			open.back().first = false;
			if (open.back().kind == 'o')
			{
				addString(tokens[i], true);
				result.addLiteral(":", 1);
				++i;
			}
		}
		const JsonToken& token = tokens[i];
		switch (token.kind)
		{
		case 'o':
		case 'a':
			result.addLiteral(token.kind == 'o' ? "{" : "[", 1);
			open.push_back(Open{token.next, token.kind, true});
			break;
		case 's':
			addString(token, false);
			break;
		default:
			result.addLiteral(text.data() + token.offset, token.length);
			break;
		}
		++i;
	}
	while (!open.empty()) closeLast();
	return result;
}


PayloadTemplate PayloadTemplate::load(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) throw Poco::FileException("cannot read the payload template " + path);
	std::ostringstream content;
	content << in.rdbuf();
	if (in.bad()) throw Poco::FileException("cannot read the payload template " + path);
	return parse(content.str(), path);
}


std::string PayloadTemplate::render(const EventEnvelope& event) const
{
	const std::string& data = event.dataRaw;
	if (data.size() < 2 || data.front() != '{' || data.back() != '}')
	{
		throw Poco::InvalidArgumentException("event data must be the raw text of a JSON object, without surrounding whitespace");
	}

	std::vector<JsonToken> tokens;
	if (_readsData)
	{
		// The ingest path limits the depth; the lookups below have no limit of their own.
		JsonScanner scanner(std::numeric_limits<std::size_t>::max());
		tokens.reserve(data.size() / 8 + 4);
		if (!scanner.tokenize(data, tokens))
		{
			throw Poco::InvalidArgumentException("event data is not valid JSON: " + scanner.error());
		}
	}

	auto envelopeField = [&](Root root) -> const std::string&
	{
		switch (root)
		{
		case Root::Id: return event.id;
		case Root::Type: return event.type;
		case Root::Created: return event.created;
		default: return event.source;
		}
	};

	// The value at op.path below data: an iterative walk that skips whole subtrees.
	auto find = [&](const Op& op) -> ValueRef
	{
		if (op.path.empty()) return ValueRef{'o', data.data(), data.size()};
		std::size_t current = 0;
		for (const Segment& segment : op.path)
		{
			const JsonToken& container = tokens[current];
			std::size_t found = std::numeric_limits<std::size_t>::max();
			if (container.kind == 'o')
			{
				for (std::size_t k = current + 1; k < container.next; k = tokens[k + 1].next)
				{
					if (nameEquals(data.data() + tokens[k].offset, tokens[k].length, segment.name))
					{
						found = k + 1;
						break;
					}
				}
			}
			else if (container.kind == 'a' && segment.isIndex)
			{
				std::size_t k = current + 1;
				for (std::size_t n = 0; n < segment.index && k < container.next; ++n) k = tokens[k].next;
				if (k < container.next) found = k;
			}
			if (found == std::numeric_limits<std::size_t>::max()) return ValueRef{};
			current = found;
		}
		const JsonToken& t = tokens[current];
		return ValueRef{t.kind, data.data() + t.offset, t.length};
	};

	std::string out;
	out.reserve(_literalSize + data.size() + 256);
	std::string scratch;
	for (const Op& op : _ops)
	{
		if (op.kind == Op::Literal)
		{
			out += op.literal;
			continue;
		}
		if (op.root != Root::Data)
		{
			if (op.kind == Op::Typed) JsonScanner::appendEncodedString(out, envelopeField(op.root));
			else appendEscapedText(out, envelopeField(op.root));
			continue;
		}
		const ValueRef value = find(op);
		if (op.kind == Op::Typed)
		{
			switch (value.kind)
			{
			case 0: out += "null"; break;
			case 'o':
			case 'a': appendCompact(out, value.text, value.length); break;
			default: out.append(value.text, value.length); break;
			}
			continue;
		}
		switch (value.kind)
		{
		case 0:
		case 'z':
			break;
		case 's':
			out.append(value.text + 1, value.length - 2);  // the content as written: already valid inside a JSON string
			break;
		case 'o':
		case 'a':
			scratch.clear();
			appendCompact(scratch, value.text, value.length);
			for (char c : scratch)
			{
				if (c == '"' || c == '\\') out += '\\';
				out += c;
			}
			break;
		default:
			out.append(value.text, value.length);
			break;
		}
	}
	return out;
}

} // namespace Hookgate

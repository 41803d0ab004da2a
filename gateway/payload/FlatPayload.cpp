#include "gateway/payload/FlatPayload.h"

#include "gateway/payload/JsonScanner.h"

#include <Poco/Exception.h>

#include <cstring>
#include <limits>
#include <vector>

namespace Hookgate {

namespace {

/// One open container of the walk.
struct Level
{
	std::size_t next;          ///< token index after the container's last descendant
	std::size_t prefixLength;  ///< length of the key prefix of its children ("a.b." )
	bool isArray;
	std::size_t index;         ///< next array index
};

bool isEnvelopeKey(const std::string& key)
{
	return key == "id" || key == "type" || key == "created" || key == "source";
}

/// Appends the flat segment of the raw member name `raw` (a JSON string literal, quotes
/// included). The common case, a name without escapes, '.' or '~', is copied as it is.
void appendNameSegment(std::string& out, const char* raw, std::size_t length)
{
	const char* inner = raw + 1;
	const std::size_t innerLength = length - 2;
	bool plain = true;
	for (std::size_t i = 0; i < innerLength; ++i)
	{
		const char c = inner[i];
		if (c == '\\' || c == '.' || c == '~')
		{
			plain = false;
			break;
		}
	}
	if (plain)
	{
		out.append(inner, innerLength);
		return;
	}
	const std::string name = std::memchr(inner, '\\', innerLength)
		? JsonScanner::decodeString(std::string(raw, length))
		: std::string(inner, innerLength);
	FlatPayload::appendSegment(out, name);
}

} // namespace


void FlatPayload::appendSegment(std::string& out, const std::string& segment)
{
	std::string escaped;
	escaped.reserve(segment.size() + 4);
	for (char c : segment)
	{
		if (c == '~') escaped += "~0";
		else if (c == '.') escaped += "~1";
		else escaped += c;
	}
	const std::string encoded = JsonScanner::encodeString(escaped);
	out.append(encoded, 1, encoded.size() - 2);
}


std::string FlatPayload::build(const EventEnvelope& event)
{
	const std::string& data = event.dataRaw;
	if (data.size() < 2 || data.front() != '{' || data.back() != '}')
	{
		throw Poco::InvalidArgumentException("event data must be the raw text of a JSON object, without surrounding whitespace");
	}

	// The ingest path limits the depth; the walk below has no limit of its own.
	JsonScanner scanner(std::numeric_limits<std::size_t>::max());
	std::vector<JsonToken> tokens;
	tokens.reserve(data.size() / 8 + 4);
	if (!scanner.tokenize(data, tokens))
	{
		throw Poco::InvalidArgumentException("event data is not valid JSON: " + scanner.error());
	}

	std::string out;
	out.reserve(96 + event.id.size() + event.type.size() + event.created.size() + event.source.size() + data.size() * 2);
	event.appendHead(out);

	const char* d = data.data();
	const std::size_t count = tokens.size();
	std::vector<Level> stack;
	stack.reserve(16);
	stack.push_back(Level{tokens[0].next, 0, false, 0});
	std::string key;  // the key of the current value, JSON-escaped, without quotes
	std::size_t i = 1;
	while (i < count)
	{
		while (stack.back().next == i) stack.pop_back();  // the root ends at count: never empty here
		Level& level = stack.back();
		key.resize(level.prefixLength);
		if (level.isArray)
		{
			key += std::to_string(level.index++);
		}
		else
		{
			appendNameSegment(key, d + tokens[i].offset, tokens[i].length);
			++i;
		}
		const JsonToken& value = tokens[i];
		const bool container = value.kind == 'o' || value.kind == 'a';
		const bool leaf = !container || value.next == i + 1;
		if (stack.size() == 1 && (key == "data" || (leaf && isEnvelopeKey(key))))
		{
			key.insert(0, "data.");
		}
		if (leaf)
		{
			out += ",\"";
			out += key;
			out += "\":";
			if (!container) out.append(d + value.offset, value.length);
			else out += value.kind == 'o' ? "{}" : "[]";
		}
		else
		{
			key += '.';
			stack.push_back(Level{value.next, key.size(), value.kind == 'a', 0});
		}
		++i;
	}
	out += '}';
	return out;
}

} // namespace Hookgate

// Event bodies through the JSON scanner: validation, tokens with duplicate names, members,
// string decoding and encoding. Invariants: the three entry points agree on validity, a decoded
// string encodes back to a literal that decodes to the same text.
#include "gateway/payload/JsonScanner.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using Hookgate::JsonMember;
using Hookgate::JsonScanner;
using Hookgate::JsonToken;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	JsonScanner scanner(64);
	const bool valid = scanner.validate(text);
	std::vector<JsonToken> tokens;
	if (scanner.tokenize(text, tokens) != valid) std::abort();
	std::vector<JsonToken> unique;
	const bool isUnique = scanner.tokenizeUnique(text, unique);
	if (isUnique && !valid) std::abort();
	std::vector<JsonMember> members;
	char kind = 0;
	if (scanner.scan(text, members, kind) != valid) std::abort();
	if (isUnique && kind == 'o')
	{
		const std::vector<JsonMember> again = JsonScanner::membersOf(text, unique);
		if (again.size() != members.size()) std::abort();
	}
	if (!valid) return 0;
	for (const JsonToken& token: tokens)
	{
		if (token.kind != 's') continue;
		const std::string decoded = JsonScanner::decodeString(text.substr(token.offset, token.length));
		if (JsonScanner::decodeString(JsonScanner::encodeString(decoded)) != decoded) std::abort();
	}
	return 0;
}

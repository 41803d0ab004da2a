#include "gateway/payload/JsonScanner.h"

#include <Poco/Exception.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Hookgate::JsonMember;
using Hookgate::JsonScanner;

namespace {

struct ScanResult
{
	bool ok = false;
	std::string error;
	std::vector<JsonMember> members;
	char topKind = 0;
};

ScanResult scanText(const std::string& text, std::size_t maxDepth = JsonScanner::DEFAULT_MAX_DEPTH)
{
	JsonScanner scanner(maxDepth);
	ScanResult r;
	r.ok = scanner.scan(text, r.members, r.topKind);
	r.error = scanner.error();
	return r;
}

/// The message of the Poco::DataFormatException thrown by `f`, or "no exception".
template <typename F>
std::string dataFormatMessage(F f)
{
	try
	{
		f();
	}
	catch (const Poco::DataFormatException& e)
	{
		return e.message();
	}
	return "no exception";
}

std::string nested(std::size_t depth, const std::string& open, const std::string& inner, const std::string& close)
{
	std::string s;
	s.reserve(depth * (open.size() + close.size()) + inner.size());
	for (std::size_t i = 0; i < depth; ++i) s += open;
	s += inner;
	for (std::size_t i = 0; i < depth; ++i) s += close;
	return s;
}

} // namespace


TEST_CASE("Valid JSON documents of every kind are accepted", "[json]")
{
	const std::vector<std::pair<std::string, char>> docs = {
		{"{}", 'o'},
		{"[]", 'a'},
		{" \t\r\n{ } \n", 'o'},
		{"0", 'n'},
		{"-0", 'n'},
		{"-0.0e+0", 'n'},
		{"1E-5", 'n'},
		{"123.456e789", 'n'},
		{"12345678901234567890123", 'n'},
		{"1e400", 'n'},
		{"\"\"", 's'},
		{"\"plain\"", 's'},
		{"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\uFFFF\"", 's'},
		{"\"\\ud83d\\ude00\"", 's'},
		{"\"\xE2\x82\xAC \xF0\x9F\x98\x80 \xC3\xA9\"", 's'},
		{"true", 't'},
		{"false", 'f'},
		{" null ", 'z'},
		{"[1,\"2\",{\"3\":[true,false,null]},[],{}]", 'a'},
		{"{\"a\":1,\"a\":2}", 'o'},
		{"[ 1 , 2 ]", 'a'},
		{"{ \"a\" : { \"b\" : [ ] } }", 'o'},
	};
	for (const auto& doc : docs)
	{
		INFO(doc.first);
		const ScanResult r = scanText(doc.first);
		CHECK(r.ok);
		CHECK(r.error.empty());
		CHECK(r.topKind == doc.second);
	}
}


TEST_CASE("Invalid JSON documents are rejected with a line, a column and a reason", "[json]")
{
	const std::vector<std::pair<std::string, std::string>> cases = {
		{"", "invalid JSON at line 1, column 1: the document is empty"},
		{" \n ", "invalid JSON at line 1, column 1: the document is empty"},
		{"{\n  \"id\": 1,\n  \"name\": \"x\"]\n}", "invalid JSON at line 3, column 14: expected ',' or '}'"},
		{"{\"a\":1,}", "invalid JSON at line 1, column 8: expected a string member name"},
		{"[1,2,]", "invalid JSON at line 1, column 6: expected a value"},
		{"[1 2]", "invalid JSON at line 1, column 4: expected ',' or ']'"},
		{"{1:2}", "invalid JSON at line 1, column 2: expected a string member name or '}'"},
		{"{'a':1}", "invalid JSON at line 1, column 2: expected a string member name or '}'"},
		{"{\"a\" 1}", "invalid JSON at line 1, column 6: expected ':' after the member name"},
		{"01", "invalid JSON at line 1, column 2: leading zeros are not allowed in numbers"},
		{"[-01]", "invalid JSON at line 1, column 4: leading zeros are not allowed in numbers"},
		{"+1", "invalid JSON at line 1, column 1: expected a value"},
		{".5", "invalid JSON at line 1, column 1: expected a value"},
		{"1.", "invalid JSON at line 1, column 3: expected a digit after the decimal point"},
		{"1.e5", "invalid JSON at line 1, column 3: expected a digit after the decimal point"},
		{"-", "invalid JSON at line 1, column 2: expected a digit after '-'"},
		{"1e", "invalid JSON at line 1, column 3: expected a digit in the exponent"},
		{"1e+", "invalid JSON at line 1, column 4: expected a digit in the exponent"},
		{"0x10", "invalid JSON at line 1, column 2: unexpected data after the JSON value"},
		{"NaN", "invalid JSON at line 1, column 1: expected a value"},
		{"Infinity", "invalid JSON at line 1, column 1: expected a value"},
		{"-Infinity", "invalid JSON at line 1, column 2: expected a digit after '-'"},
		{"// comment\n{}", "invalid JSON at line 1, column 1: expected a value"},
		{"[1 /* two */]", "invalid JSON at line 1, column 4: expected ',' or ']'"},
		{"tru", "invalid JSON at line 1, column 4: invalid literal, expected 'true'"},
		{"[falsy]", "invalid JSON at line 1, column 6: invalid literal, expected 'false'"},
		{"nil", "invalid JSON at line 1, column 2: invalid literal, expected 'null'"},
		{"True", "invalid JSON at line 1, column 1: expected a value"},
		{"1 2", "invalid JSON at line 1, column 3: unexpected data after the JSON value"},
		{"{} {}", "invalid JSON at line 1, column 4: unexpected data after the JSON value"},
		{"\"abc", "invalid JSON at line 1, column 5: unterminated string"},
		{"\"a\nb\"", "invalid JSON at line 1, column 3: control character in string must be escaped"},
		{"\"a\tb\"", "invalid JSON at line 1, column 3: control character in string must be escaped"},
		{std::string("\"a\0b\"", 5), "invalid JSON at line 1, column 3: control character in string must be escaped"},
		{"\"\\x\"", "invalid JSON at line 1, column 2: invalid escape sequence in string"},
		{"\"\\u12G4\"", "invalid JSON at line 1, column 2: expected 4 hex digits after \\u"},
		{"\"\\u12\"", "invalid JSON at line 1, column 2: expected 4 hex digits after \\u"},
		{"\"\\ud800\"", "invalid JSON at line 1, column 2: high surrogate escape not followed by a low surrogate escape"},
		{"\"\\ud800\\u0041\"", "invalid JSON at line 1, column 2: high surrogate escape not followed by a low surrogate escape"},
		{"\"\\udc00\"", "invalid JSON at line 1, column 2: low surrogate escape without a preceding high surrogate"},
		{"[", "invalid JSON at line 1, column 2: unexpected end of input, expected a value"},
		{"{\"a\":1", "invalid JSON at line 1, column 7: unexpected end of input, expected ',' or '}'"},
		{"[1", "invalid JSON at line 1, column 3: unexpected end of input, expected ',' or ']'"},
		{"{\"a\"", "invalid JSON at line 1, column 5: unexpected end of input, expected ':'"},
		{"{\"a\":1,", "invalid JSON at line 1, column 8: unexpected end of input, expected a string member name"},
		{"\xEF\xBB\xBF{}", "invalid JSON at line 1, column 1: expected a value"},
		{"[\"\xC3\xA9\" x]", "invalid JSON at line 1, column 6: expected ',' or ']'"},
		{"{\n\"a\":\n[1,\n2,\n]}", "invalid JSON at line 5, column 1: expected a value"},
	};
	for (const auto& c : cases)
	{
		INFO(c.first);
		const ScanResult r = scanText(c.first);
		CHECK_FALSE(r.ok);
		CHECK(r.error == c.second);
	}
}


TEST_CASE("Invalid UTF-8 inside strings is rejected and valid boundary sequences are accepted", "[json]")
{
	const std::vector<std::string> invalid = {
		"\x80",              // lone continuation byte
		"\xBF",
		"\xC0\xAF",          // overlong '/'
		"\xC1\xBF",          // overlong
		"\xE0\x80\xAF",      // overlong 3-byte
		"\xE0\x9F\xBF",      // overlong 3-byte (U+07FF)
		"\xF0\x8F\xBF\xBF",  // overlong 4-byte (U+FFFF)
		"\xED\xA0\x80",      // encoded surrogate U+D800
		"\xED\xBF\xBF",      // encoded surrogate U+DFFF
		"\xF4\x90\x80\x80",  // U+110000
		"\xF5\x80\x80\x80",
		"\xFE",
		"\xFF",
		"\xC3",              // truncated before the closing quote
		"\xE2\x82",
		"\xF0\x9F\x98",
		"\xC3\x28",          // continuation byte missing
		"\xE2\x28\xA1",
	};
	for (const std::string& bytes : invalid)
	{
		const std::string doc = "[\"ok" + bytes + "\"]";
		INFO("bytes of length " << bytes.size() << " starting with " << static_cast<int>(static_cast<unsigned char>(bytes[0])));
		const ScanResult r = scanText(doc);
		CHECK_FALSE(r.ok);
		CHECK(r.error == "invalid JSON at line 1, column 5: invalid UTF-8 in string");
		CHECK_FALSE(JsonScanner::isValidUTF8(bytes));
	}

	const std::vector<std::string> valid = {
		"\xC2\x80",          // U+0080
		"\xDF\xBF",          // U+07FF
		"\xE0\xA0\x80",      // U+0800
		"\xED\x9F\xBF",      // U+D7FF
		"\xEE\x80\x80",      // U+E000
		"\xEF\xBF\xBF",      // U+FFFF
		"\xF0\x90\x80\x80",  // U+10000
		"\xF4\x8F\xBF\xBF",  // U+10FFFF
	};
	for (const std::string& bytes : valid)
	{
		INFO("bytes of length " << bytes.size() << " starting with " << static_cast<int>(static_cast<unsigned char>(bytes[0])));
		CHECK(scanText("\"" + bytes + "\"").ok);
		CHECK(JsonScanner::isValidUTF8(bytes));
	}
}


TEST_CASE("Member names with invalid UTF-8 are rejected", "[json]")
{
	const ScanResult r = scanText("{\"a\":1,\"\xC0\xAF\":2}");
	CHECK_FALSE(r.ok);
	CHECK(r.error == "invalid JSON at line 1, column 9: invalid UTF-8 in string");
}


TEST_CASE("Top-level members are reported in document order with their raw spans and kinds", "[json]")
{
	const std::string text =
		"  {\n"
		"    \"zeta\" : {\"x\": [1, {\"y\": null}], \"z\": {}},\n"
		"    \"alpha\":[ 1 , 2 ],\n"
		"    \"s\\u00e9\\n\\\"q\" :\"a \\\"quoted\\\" \\u00e9\",\n"
		"    \"num\": -12345678901234567890123.5e-7 ,\n"
		"    \"t\":true,\"f\":false,\"z\":null,\n"
		"    \"zeta\": \"again\",\n"
		"    \"\": 0\n"
		"  }  \n";
	const ScanResult r = scanText(text);
	REQUIRE(r.ok);
	CHECK(r.topKind == 'o');

	struct Expected
	{
		std::string name;
		char kind;
		std::string raw;
	};
	const std::vector<Expected> expected = {
		{"zeta", 'o', "{\"x\": [1, {\"y\": null}], \"z\": {}}"},
		{"alpha", 'a', "[ 1 , 2 ]"},
		{"s\xC3\xA9\n\"q", 's', "\"a \\\"quoted\\\" \\u00e9\""},
		{"num", 'n', "-12345678901234567890123.5e-7"},
		{"t", 't', "true"},
		{"f", 'f', "false"},
		{"z", 'z', "null"},
		{"zeta", 's', "\"again\""},
		{"", 'n', "0"},
	};
	REQUIRE(r.members.size() == expected.size());
	for (std::size_t i = 0; i < expected.size(); ++i)
	{
		INFO("member " << i);
		const JsonMember& m = r.members[i];
		CHECK(m.name == expected[i].name);
		CHECK(m.kind == expected[i].kind);
		CHECK(text.substr(m.offset, m.length) == expected[i].raw);
	}
	CHECK(r.members[0].offset == text.find("{\"x\""));
}


TEST_CASE("Only an object at the top level reports members", "[json]")
{
	ScanResult r = scanText("[{\"a\":1}]");
	CHECK(r.ok);
	CHECK(r.topKind == 'a');
	CHECK(r.members.empty());

	r = scanText("\"text\"");
	CHECK(r.ok);
	CHECK(r.topKind == 's');
	CHECK(r.members.empty());

	r = scanText("{}");
	CHECK(r.ok);
	CHECK(r.topKind == 'o');
	CHECK(r.members.empty());
}


TEST_CASE("A scanner is reusable and clears its previous error and members", "[json]")
{
	JsonScanner scanner;
	std::vector<JsonMember> members;
	char topKind = 0;
	CHECK_FALSE(scanner.scan("{\"a\":1,\"b\":}", members, topKind));
	CHECK(scanner.error() == "invalid JSON at line 1, column 12: expected a value");
	CHECK(scanner.errorOffset() == 11);

	CHECK(scanner.scan("{\"c\":[]}", members, topKind));
	CHECK(scanner.error().empty());
	REQUIRE(members.size() == 1);
	CHECK(members[0].name == "c");
	CHECK(members[0].kind == 'a');
	CHECK(members[0].offset == 5);
	CHECK(members[0].length == 2);

	CHECK(scanner.validate("[1,2,3]"));
	CHECK_FALSE(scanner.validate("[1,2,3"));
}


TEST_CASE("Depth counts every container including the outermost: 512 levels pass, 513 do not", "[json]")
{
	CHECK(scanText(nested(512, "[", "", "]")).ok);
	CHECK(scanText(nested(512, "[", "1", "]")).ok);
	CHECK(scanText(nested(511, "{\"a\":", "{}", "}")).ok);

	ScanResult r = scanText(nested(513, "[", "", "]"));
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 512 levels at line 1, column 513");

	r = scanText(nested(512, "{\"a\":", "{}", "}"));
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 512 levels at line 1, column " + std::to_string(512 * 5 + 1));

	// a smaller limit
	CHECK(scanText("[[1]]", 2).ok);
	r = scanText("[[[1]]]", 2);
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 2 levels at line 1, column 3");

	// a scalar at the top level has depth 0
	CHECK(scanText("1", 0).ok);
	CHECK(scanText("\"x\"", 0).ok);
	r = scanText("[]", 0);
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 0 levels at line 1, column 1");
}


TEST_CASE("100,000 nested arrays are rejected cleanly with the depth error", "[json]")
{
	ScanResult r = scanText(nested(100000, "[", "", "]"));
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 512 levels at line 1, column 513");

	r = scanText(std::string(100000, '['));
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 512 levels at line 1, column 513");

	r = scanText(nested(100000, "{\"k\":", "1", "}"));
	CHECK_FALSE(r.ok);
	CHECK(r.error == "JSON nested deeper than 512 levels at line 1, column " + std::to_string(512 * 5 + 1));
}


TEST_CASE("100,000 nested containers are scanned without recursion when the limit allows them", "[json]")
{
	const std::string doc = "{\"deep\":" + nested(100000, "[", "{\"x\":[1,2]}", "]") + ",\"after\":true}";
	const ScanResult r = scanText(doc, 200000);
	REQUIRE(r.ok);
	REQUIRE(r.members.size() == 2);
	CHECK(r.members[0].name == "deep");
	CHECK(r.members[0].kind == 'a');
	CHECK(r.members[0].length == 200000 + 11);
	CHECK(r.members[1].name == "after");
	CHECK(doc.substr(r.members[1].offset, r.members[1].length) == "true");

	const ScanResult unbalanced = scanText(nested(100000, "[", "", "]") + "]", 200000);
	CHECK_FALSE(unbalanced.ok);
	CHECK(unbalanced.error == "invalid JSON at line 1, column 200001: unexpected data after the JSON value");
}


TEST_CASE("String literals decode every escape including surrogate pairs", "[json]")
{
	CHECK(JsonScanner::decodeString("\"\"") == "");
	CHECK(JsonScanner::decodeString("\"plain text\"") == "plain text");
	CHECK(JsonScanner::decodeString("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"") == "\"\\/\b\f\n\r\t");
	CHECK(JsonScanner::decodeString("\"\\u0041\\u00e9\\u20AC\"") == "A\xC3\xA9\xE2\x82\xAC");
	CHECK(JsonScanner::decodeString("\"\\u0000\"") == std::string(1, '\0'));
	CHECK(JsonScanner::decodeString("\"\\ud83d\\ude00\"") == "\xF0\x9F\x98\x80");
	CHECK(JsonScanner::decodeString("\"\\uD834\\uDD1E clef\"") == "\xF0\x9D\x84\x9E clef");
	CHECK(JsonScanner::decodeString("\"\\udbff\\udfff\"") == "\xF4\x8F\xBF\xBF");
	CHECK(JsonScanner::decodeString("\"\\uFFFF\"") == "\xEF\xBF\xBF");
	CHECK(JsonScanner::decodeString("\"\xF0\x9F\x98\x80 as is\"") == "\xF0\x9F\x98\x80 as is");
}


TEST_CASE("Malformed string literals throw DataFormatException naming the fault", "[json]")
{
	CHECK(dataFormatMessage([] { JsonScanner::decodeString(""); }) == "JSON string literal must start with '\"'");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("abc"); }) == "JSON string literal must start with '\"'");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"abc"); }) == "invalid JSON string literal at byte 4: unterminated string");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"a\"b"); }) == "invalid JSON string literal at byte 3: unexpected data after the closing quote");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"\\ud83d\""); }) == "invalid JSON string literal at byte 1: high surrogate escape not followed by a low surrogate escape");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"\\ud83d\\ud83d\""); }) == "invalid JSON string literal at byte 1: high surrogate escape not followed by a low surrogate escape");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"x\\ude00\""); }) == "invalid JSON string literal at byte 2: low surrogate escape without a preceding high surrogate");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"\\q\""); }) == "invalid JSON string literal at byte 1: invalid escape sequence in string");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"\\u00\""); }) == "invalid JSON string literal at byte 1: expected 4 hex digits after \\u");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"a\nb\""); }) == "invalid JSON string literal at byte 2: control character in string must be escaped");
	CHECK(dataFormatMessage([] { JsonScanner::decodeString("\"\xC0\xAF\""); }) == "invalid JSON string literal at byte 1: invalid UTF-8 in string");
	CHECK_THROWS_AS(JsonScanner::decodeString("\"\\"), Poco::DataFormatException);
}


TEST_CASE("Strings are encoded as JSON literals escaping only quotes, backslashes and control characters", "[json]")
{
	CHECK(JsonScanner::encodeString("") == "\"\"");
	CHECK(JsonScanner::encodeString("msg_123") == "\"msg_123\"");
	CHECK(JsonScanner::encodeString("say \"hi\" \\ bye") == "\"say \\\"hi\\\" \\\\ bye\"");
	CHECK(JsonScanner::encodeString("\b\f\n\r\t") == "\"\\b\\f\\n\\r\\t\"");
	CHECK(JsonScanner::encodeString(std::string("\0\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
	CHECK(JsonScanner::encodeString("/ stays") == "\"/ stays\"");
	CHECK(JsonScanner::encodeString("Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x98\x80\"");

	CHECK(dataFormatMessage([] { JsonScanner::encodeString("ab\xFF"); }) == "cannot encode a JSON string: invalid UTF-8 at byte 2");
	CHECK(dataFormatMessage([] { JsonScanner::encodeString("\xED\xA0\x80"); }) == "cannot encode a JSON string: invalid UTF-8 at byte 0");

	std::string out = "prefix:";
	JsonScanner::appendEncodedString(out, "a\"b");
	CHECK(out == "prefix:\"a\\\"b\"");
}


TEST_CASE("Encoding then decoding gives back every byte string that is valid UTF-8", "[json]")
{
	std::string all;
	for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
	all += "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
	const std::string encoded = JsonScanner::encodeString(all);
	CHECK(JsonScanner::decodeString(encoded) == all);
	CHECK(scanText(encoded).ok);
}

TEST_CASE("A member name twice in one object is refused at any depth, compared decoded, and named", "[json]")
{
	const auto errorOf = [](const std::string& text) {
		JsonScanner scanner;
		std::vector<Hookgate::JsonToken> tokens;
		return scanner.tokenizeUnique(text, tokens) ? std::string("(accepted)") : scanner.error();
	};
	CHECK(errorOf(R"({"id":"a","id":"b"})") == "invalid JSON at line 1, column 11: duplicate member name \"id\"");
	CHECK(errorOf(R"({"data":{"x":1,"y":{"z":1,"z":2}}})") == "invalid JSON at line 1, column 27: duplicate member name \"z\"");
	CHECK(errorOf(R"({"a":1,"\u0061":2})") == "invalid JSON at line 1, column 8: duplicate member name \"a\"");
	CHECK(errorOf("{\"a\":1,\n \"b\":[{\"a\":1},{\"a\":2}],\n \"a\":3}") == "invalid JSON at line 3, column 2: duplicate member name \"a\"");
	// The same name in different objects, or in sibling objects of an array, is fine.
	CHECK(errorOf(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})") == "(accepted)");
	CHECK(errorOf(R"([{"k":1},{"k":1}])") == "(accepted)");
	CHECK(errorOf(R"({"a\n":1,"a":2})") == "(accepted)");
	// Still a validator first.
	CHECK(errorOf(R"({"a":1,})").find("invalid JSON at line 1, column 8") == 0);
}

TEST_CASE("The members taken from the tokens are those scan() reports", "[json]")
{
	const std::string text = R"( {"type":"a.b", "d\u0061ta":{"x":[1,{"y":2}],"z":"s"}, "id":null, "n":-1.5e3, "t":true} )";
	JsonScanner scanner;
	std::vector<JsonMember> scanned;
	char kind = 0;
	REQUIRE(scanner.scan(text, scanned, kind));
	std::vector<Hookgate::JsonToken> tokens;
	REQUIRE(scanner.tokenizeUnique(text, tokens));
	const auto members = JsonScanner::membersOf(text, tokens);
	REQUIRE(members.size() == scanned.size());
	for (std::size_t i = 0; i < members.size(); ++i)
	{
		INFO(scanned[i].name);
		CHECK(members[i].name == scanned[i].name);
		CHECK(members[i].offset == scanned[i].offset);
		CHECK(members[i].length == scanned[i].length);
		CHECK(members[i].kind == scanned[i].kind);
	}
	CHECK(members[1].name == "data");
}

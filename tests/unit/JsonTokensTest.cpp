#include "gateway/payload/JsonScanner.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Hookgate::JsonScanner;
using Hookgate::JsonToken;

namespace {

std::string describe(const std::string& text, const std::vector<JsonToken>& tokens)
{
	std::string out;
	for (std::size_t i = 0; i < tokens.size(); ++i)
	{
		const JsonToken& t = tokens[i];
		out += std::to_string(i) + t.kind + "(" + text.substr(t.offset, t.length) + ")>" + std::to_string(t.next) + " ";
	}
	return out;
}

} // namespace


TEST_CASE("Tokens list every value and member name with its raw text and the index after its subtree", "[json]")
{
	const std::string text = " {\"a\" : [1, {\"b\":null}, [] ],\n \"c\\u0021\":{ },\"d\":\"x\\\"y\", \"e\":-0.5e+3,\"f\":true} ";
	JsonScanner scanner;
	std::vector<JsonToken> tokens;
	REQUIRE(scanner.tokenize(text, tokens));
	CHECK(describe(text, tokens) ==
		"0o({\"a\" : [1, {\"b\":null}, [] ],\n \"c\\u0021\":{ },\"d\":\"x\\\"y\", \"e\":-0.5e+3,\"f\":true})>16 "
		"1k(\"a\")>2 2a([1, {\"b\":null}, [] ])>8 3n(1)>4 4o({\"b\":null})>7 5k(\"b\")>6 6z(null)>7 7a([])>8 "
		"8k(\"c\\u0021\")>9 9o({ })>10 10k(\"d\")>11 11s(\"x\\\"y\")>12 12k(\"e\")>13 13n(-0.5e+3)>14 14k(\"f\")>15 15t(true)>16 ");

	// The children of the array at 2 are 3, 4 and 7: each reached through `next`.
	std::vector<std::size_t> children;
	for (std::size_t k = 3; k < tokens[2].next; k = tokens[k].next) children.push_back(k);
	CHECK(children == std::vector<std::size_t>{3, 4, 7});

	REQUIRE(scanner.tokenize("\"only\"", tokens));
	CHECK(describe("\"only\"", tokens) == "0s(\"only\")>1 ");
	REQUIRE(scanner.tokenize("[]", tokens));
	CHECK(describe("[]", tokens) == "0a([])>1 ");
}


TEST_CASE("depthExceeded tells the depth limit apart from other errors", "[json]")
{
	JsonScanner scanner(3);
	std::vector<JsonToken> tokens;
	CHECK(scanner.tokenize("[[[1]]]", tokens));
	CHECK_FALSE(scanner.depthExceeded());
	CHECK_FALSE(scanner.tokenize("[[[[1]]]]", tokens));
	CHECK(scanner.depthExceeded());
	CHECK(scanner.error() == "JSON nested deeper than 3 levels at line 1, column 4");
	CHECK_FALSE(scanner.validate("[[[1]]"));
	CHECK_FALSE(scanner.depthExceeded());
	CHECK_FALSE(scanner.validate("[[[[1]]]]"));
	CHECK(scanner.depthExceeded());
	CHECK(scanner.validate("{}"));
	CHECK_FALSE(scanner.depthExceeded());
}

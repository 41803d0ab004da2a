#include "transports/PrintableText.h"

#include <catch2/catch.hpp>

#include <string>

using Hookgate::PrintableText;

TEST_CASE("Text without control characters passes, whatever its script", "[text]")
{
	CHECK(PrintableText::check("").empty());
	CHECK(PrintableText::check("ACME Bookings GmbH").empty());
	CHECK(PrintableText::check("Zürich – Filiale 1 ✓ 🦀").empty());
	CHECK(PrintableText::check("\xC2\xA0no-break space, U+00A0, is not a control").empty());
	CHECK(PrintableText::check("\xE2\x80\xA7 U+2027 and U+202A \xE2\x80\xAA are not refused").empty());
}

TEST_CASE("Every C0 control, DEL, every C1 control and U+2028/2029 are refused, named by code point and position", "[text]")
{
	for (unsigned c = 0; c < 0x20; ++c)
	{
		const std::string text = std::string("ab") + static_cast<char>(c) + "cd";
		INFO("U+" << std::hex << c);
		CHECK(PrintableText::check(text) == "contains the control character " + PrintableText::codePoint(c) + " at character 3");
	}
	CHECK(PrintableText::check("a\x7f") == "contains the control character U+007F at character 2");
	for (unsigned c = 0x80; c <= 0x9F; ++c)
	{
		// U+0080..U+009F in UTF-8: C2 80 .. C2 9F
		const std::string text = std::string("é") + static_cast<char>(0xC2) + static_cast<char>(c);
		INFO("U+" << std::hex << c);
		CHECK(PrintableText::check(text) == "contains the control character " + PrintableText::codePoint(c) + " at character 2");
	}
	CHECK(PrintableText::check("line\xE2\x80\xA8separator") == "contains the control character U+2028 at character 5");
	CHECK(PrintableText::check("para\xE2\x80\xA9separator") == "contains the control character U+2029 at character 5");
	CHECK(PrintableText::check("tab\there") == "contains the control character U+0009 at character 4");
	CHECK(PrintableText::check("CR\r\nLF") == "contains the control character U+000D at character 3");
}

TEST_CASE("Bytes that are not UTF-8 are refused: stray, truncated, overlong, surrogate and above U+10FFFF", "[text]")
{
	CHECK(PrintableText::check("a\x85" "b") == "is not valid UTF-8 at character 2");    // a raw C1 byte (Latin-1 NEL)
	CHECK(PrintableText::check("ab\xC3") == "is not valid UTF-8 at character 3");        // truncated
	CHECK(PrintableText::check("\xC0\x8A") == "is not valid UTF-8 at character 1");      // overlong LF
	CHECK(PrintableText::check("\xE0\x80\x8A") == "is not valid UTF-8 at character 1");  // overlong LF
	CHECK(PrintableText::check("\xED\xA0\x80") == "is not valid UTF-8 at character 1");  // U+D800
	CHECK(PrintableText::check("\xF4\x90\x80\x80") == "is not valid UTF-8 at character 1");  // U+110000
	CHECK(PrintableText::check("\xFF") == "is not valid UTF-8 at character 1");
}

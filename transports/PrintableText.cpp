#include "transports/PrintableText.h"

#include <cstdio>

namespace Hookgate {

namespace {

/// Decodes the UTF-8 sequence at text[i]: its length, or 0 when it is not valid (overlong
/// forms, surrogates and values above U+10FFFF included).
std::size_t decode(const std::string& text, std::size_t i, unsigned& value)
{
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
	const unsigned char lead = byte(i);
	std::size_t length = 0;
	unsigned minimum = 0;
	if (lead < 0x80)
	{
		value = lead;
		return 1;
	}
	if ((lead & 0xE0) == 0xC0) { length = 2; value = lead & 0x1F; minimum = 0x80; }
	else if ((lead & 0xF0) == 0xE0) { length = 3; value = lead & 0x0F; minimum = 0x800; }
	else if ((lead & 0xF8) == 0xF0) { length = 4; value = lead & 0x07; minimum = 0x10000; }
	else return 0;
	if (i + length > text.size()) return 0;
	for (std::size_t k = 1; k < length; ++k)
	{
		if ((byte(i + k) & 0xC0) != 0x80) return 0;
		value = (value << 6) | (byte(i + k) & 0x3F);
	}
	if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
	return length;
}

bool isControl(unsigned value)
{
	return value < 0x20 || (value >= 0x7F && value <= 0x9F) || value == 0x2028 || value == 0x2029;
}

} // namespace

std::string PrintableText::check(const std::string& text)
{
	std::size_t character = 1;
	for (std::size_t i = 0; i < text.size(); ++character)
	{
		unsigned value = 0;
		const std::size_t length = decode(text, i, value);
		if (length == 0) return "is not valid UTF-8 at character " + std::to_string(character);
		if (isControl(value))
			return "contains the control character " + codePoint(value) + " at character " + std::to_string(character);
		i += length;
	}
	return std::string();
}

std::string PrintableText::codePoint(unsigned value)
{
	char buffer[16];
	std::snprintf(buffer, sizeof(buffer), "U+%04X", value);
	return buffer;
}

} // namespace Hookgate

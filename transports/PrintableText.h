#pragma once

#include <string>

namespace Hookgate {

/// Text that is read by a person or carried on one protocol line (names, descriptions,
/// header values, addresses, URLs): valid UTF-8 without control characters.
class PrintableText
{
public:
	static std::string check(const std::string& text);
		/// Returns an empty string if text is valid UTF-8 and holds none of:
		///   C0 controls U+0000 to U+001F (tab, CR and LF among them), DEL U+007F,
		///   C1 controls U+0080 to U+009F, LINE SEPARATOR U+2028, PARAGRAPH SEPARATOR U+2029;
		/// otherwise what it holds and where, counted in characters from 1:
		///   "contains the control character U+000B at character 5"
		///   "is not valid UTF-8 at character 3"

	static std::string codePoint(unsigned value);
		/// "U+000B", "U+2028": how a character is named in a message.
};

} // namespace Hookgate

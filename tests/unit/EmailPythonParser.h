#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {
namespace Test {

/// One MIME part of a parsed message.
struct EmailParsedPart
{
	std::string contentType;        ///< e.g. text/plain (lower case, no parameters)
	std::string charset;            ///< the charset parameter, or empty
	std::string transferEncoding;   ///< the Content-Transfer-Encoding header, or empty
	std::string disposition;        ///< attachment, inline, or empty
	std::string filename;           ///< decoded (RFC 2231 too), or empty
	std::string data;               ///< the decoded bytes
	std::string text;               ///< for text/*: the decoded text, line endings as LF
};

/// A message as Python's email package (policy.default) sees it.
struct EmailParsed
{
	std::vector<std::string> defects;   ///< of the message, its parts and their headers; empty when clean
	std::vector<std::pair<std::string, std::string>> headers;  ///< top-level, decoded and unfolded, in order
	std::string contentType;            ///< top-level content type
	std::string dateISO;                ///< the Date header as ISO 8601, or empty
	std::vector<EmailParsedPart> parts; ///< the sub-parts of a multipart message
	std::size_t maxLineLength = 0;      ///< the longest line, without CRLF
	bool onlyCRLF = false;              ///< no bare CR or LF anywhere
	bool endsWithCRLF = false;

	std::string header(const std::string& name) const;  ///< the first header of that name (case-insensitive), or ""
	std::size_t count(const std::string& name) const;   ///< how many headers of that name
};

/// Parses message bytes by running /usr/bin/python3 with the email package.
class EmailPythonParser
{
public:
	static EmailParsed parse(const std::string& bytes);
		/// Throws Poco::RuntimeException with Python's error output if it fails.

	static EmailParsed parseFile(const std::string& path);
};

} // namespace Test
} // namespace Hookgate

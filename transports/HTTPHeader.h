#pragma once

#include <string>

namespace Hookgate {

/// The rules for an extra header of a webhook request, shared by the API (an endpoint's
/// authHeader) and the HTTP transport (every header it sends): what one accepts, the other sends.
class HTTPHeader
{
public:
	static std::string checkName(const std::string& name);
		/// Returns an empty string if name is an RFC 9110 token of 1 to MAX_NAME characters,
		/// otherwise why not, naming it: "'Bad Key' is not a valid HTTP header name: ' ' at character 4 ..."

	static std::string checkValue(const std::string& value);
		/// Returns an empty string if value is printable ASCII (spaces inside, not at either
		/// end) of at most MAX_VALUE characters, otherwise why not:
		///   "contains the control character U+000B at character 3"   (C0 controls, DEL)
		///   "contains a non-ASCII character at character 7; HTTP header values are ASCII"
		///   "must not begin or end with a space"
		///   "is longer than 4096 characters"

	static bool isSetByTransport(const std::string& name);
		/// Host, Content-Length, Transfer-Encoding and Connection (any case): the transport
		/// writes them from the URL and the body, and no caller may replace them.

	static constexpr std::size_t MAX_NAME = 256;
	static constexpr std::size_t MAX_VALUE = 4096;
};

} // namespace Hookgate

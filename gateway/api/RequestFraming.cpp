#include "gateway/api/RequestFraming.h"

#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <limits>

namespace Hookgate {

namespace {

bool contains(const std::string& text, const char* part)
{
	return text.find(part) != std::string::npos;
}

/// 1*DIGIT within 0 .. 2^63-1 (no sign, no space, no exponent).
bool isLength(const std::string& value)
{
	if (value.empty() || value.size() > 19) return false;
	unsigned long long n = 0;
	for (char c : value)
	{
		if (c < '0' || c > '9') return false;
		n = n * 10 + static_cast<unsigned long long>(c - '0');
	}
	return n <= static_cast<unsigned long long>(std::numeric_limits<long long>::max());
}

} // namespace

ApiError RequestFraming::refusal(const Poco::Exception& e)
{
	const std::string text = e.message();
	// Poco's texts (HTTPRequest::read, MessageHeader::read in 1.11); the limits are Poco's:
	// a URI of 16384 bytes, a field name of 256, a field value of 8192, 100 fields. Poco says
	// "URI invalid or too long" also for a request line of one word: it cannot be told apart.
	if (contains(text, "URI invalid or too long")) return ApiError(414, "uri_too_long", "the request target is longer than 16384 bytes (or the request line has none)");
	if (contains(text, "header fields"))
		return ApiError(431, "header_too_large", "the request has more than 100 header fields");
	if (contains(text, "Field name too long"))
		return ApiError(431, "header_too_large", "a header field name is longer than 256 bytes (or has no colon)");
	if (contains(text, "Field value too long"))
		return ApiError(431, "header_too_large", "a header field value is longer than 8192 bytes (or does not end in CRLF)");
	if (dynamic_cast<const Poco::SyntaxException*>(&e))
		return ApiError(400, "bad_request", "Content-Length is not a length: it must be digits only, at most 2^63-1");
	return ApiError(400, "bad_request", "malformed request: " + (text.empty() ? e.displayText() : text));
}

std::optional<ApiError> RequestFraming::check(const Poco::Net::HTTPRequest& request)
{
	std::string length;
	bool hasLength = false;
	bool hasTransferEncoding = false;
	std::string codings;
	for (const auto& [name, value] : request)
	{
		if (Poco::icompare(name, "Content-Length") == 0)
		{
			const std::string v = Poco::trim(value);
			if (!isLength(v))
				return ApiError(400, "bad_request", "Content-Length '" + v.substr(0, 40) + "' is not a length: it must be digits only, at most 2^63-1");
			if (hasLength && v != length)
				return ApiError(400, "bad_request", "two different Content-Length headers (" + length + " and " + v + ")");
			hasLength = true;
			length = v;
		}
		else if (Poco::icompare(name, "Transfer-Encoding") == 0)
		{
			hasTransferEncoding = true;
			codings += (codings.empty() ? "" : ", ") + Poco::trim(value);
		}
	}
	if (hasLength && hasTransferEncoding)
		return ApiError(400, "bad_request", "Content-Length together with Transfer-Encoding: send one of them");
	if (hasTransferEncoding && Poco::icompare(codings, "chunked") != 0)
		return ApiError(501, "unsupported_transfer_coding",
			"Transfer-Encoding '" + codings.substr(0, 60) + "' is not supported; the only transfer coding is chunked");
	return std::nullopt;
}

std::vector<std::string> RequestFraming::pathSegments(const std::string& target)
{
	std::string path = target;
	const auto end = path.find_first_of("?#");
	if (end != std::string::npos) path.resize(end);
	if (!path.empty() && path[0] != '/')
	{
		// absolute-form: scheme://authority/path
		const auto authority = path.find("://");
		const auto slash = authority == std::string::npos ? std::string::npos : path.find('/', authority + 3);
		path = slash == std::string::npos ? std::string() : path.substr(slash);
	}
	std::vector<std::string> segments;
	std::size_t start = 0;
	while (start < path.size())
	{
		auto next = path.find('/', start);
		if (next == std::string::npos) next = path.size();
		if (next > start)
		{
			std::string decoded;
			Poco::URI::decode(path.substr(start, next - start), decoded);
			segments.push_back(decoded);
		}
		start = next + 1;
	}
	return segments;
}

} // namespace Hookgate

#pragma once

#include "gateway/api/ApiError.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include <optional>
#include <string>
#include <vector>

namespace Hookgate {

/// How a request on the API port is framed (RFC 9112 section 6), checked before any handler
/// reads a byte of its body. A request that fails here is answered with the error and its
/// connection is closed: what follows on it cannot be told apart from this request's body.
class RequestFraming
{
public:
	/// The refusal of a request whose head Poco could not read (`e` from reading it):
	/// 414 uri_too_long, 431 header_too_large, or 400 bad_request for the rest, including a
	/// Content-Length that is no number or overflows (Poco's SyntaxException).
	static ApiError refusal(const Poco::Exception& e);

	/// The framing rules for a request whose head was read, or nothing when it may go on:
	///  - Content-Length must be 1*DIGIT and fit in 63 bits; several of them must agree;
	///  - Content-Length together with Transfer-Encoding is refused;
	///  - the only transfer coding is `chunked` (anything else: 501).
	static std::optional<ApiError> check(const Poco::Net::HTTPRequest& request);

	/// The path segments of a request target, each percent-decoded on its own, so that an
	/// encoded '/' (%2F) stays inside its segment and never separates two. The query and
	/// fragment are cut off; an absolute-form target ("http://host/path") gives the path's
	/// segments. Throws Poco::SyntaxException for a bad percent escape.
	static std::vector<std::string> pathSegments(const std::string& target);
};

} // namespace Hookgate

#pragma once

#include <Poco/Types.h>

#include <string>

namespace Hookgate {

/// A webhook URL taken apart for the HTTP transport. The one URL check of the HTTP channel:
/// the API refuses what parse() refuses, so every URL it accepts can be sent.
class HTTPTarget
{
public:
	std::string parse(const std::string& url);
		/// Fills in the fields from url and returns an empty string, or returns why url
		/// cannot be sent (without naming it):
		///   "longer than 2048 characters"
		///   "contains ' ' at character 20; spaces, control and non-ASCII characters must be percent-encoded"
		///   "the scheme must be http or https"
		///   "no host"
		///   "credentials in the URL are not supported (use an authorization header)"
		///   "a #fragment is not sent to a receiver; remove it"
		///   Poco::URI's reason for what it cannot parse ("Bad URI syntax: bad or invalid port number: 0", ...)
		/// The host is not resolved here (DestinationPolicy does that).

	std::string url;
	bool secure = false;
	std::string host;          ///< as in the URL, without IPv6 brackets
	Poco::UInt16 port = 0;
	std::string pathAndQuery;  ///< raw, as in the URL; "/" when empty
	std::string hostHeader;    ///< host[:port], IPv6 in brackets
	std::string poolKey;       ///< scheme://host:port

	static constexpr std::size_t MAX_URL = 2048;
};

} // namespace Hookgate

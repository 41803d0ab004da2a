#include "transports/HTTPTarget.h"
#include "transports/PrintableText.h"

#include <Poco/Exception.h>
#include <Poco/NumberFormatter.h>
#include <Poco/String.h>
#include <Poco/URI.h>

namespace Hookgate {

namespace {

/// RFC 3986: the characters a URL holds as they are (unreserved, reserved and '%').
bool isUrlChar(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && std::string("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string::npos;
}

} // namespace

std::string HTTPTarget::parse(const std::string& target)
{
	url = target;
	if (target.size() > MAX_URL)
		return "longer than " + std::to_string(MAX_URL) + " characters";
	for (std::size_t i = 0; i < target.size(); ++i)
	{
		// Everything before i is ASCII, so byte i is character i + 1.
		const unsigned char c = static_cast<unsigned char>(target[i]);
		if (!isUrlChar(target[i]))
		{
			const std::string shown = c > 0x20 && c < 0x7F ? "'" + std::string(1, target[i]) + "'"
				: c == 0x20 ? std::string("a space") : c < 0x80 ? "the control character " + PrintableText::codePoint(c) : std::string("a non-ASCII character");
			return "contains " + shown + " at character " + std::to_string(i + 1)
				+ "; spaces, control and non-ASCII characters and \"<>\\^`{|} must be percent-encoded";
		}
	}
	Poco::URI uri;
	try
	{
		uri = Poco::URI(target);
	}
	catch (Poco::Exception& exc)
	{
		return exc.displayText();
	}
	const std::string scheme = Poco::toLower(uri.getScheme());
	if (scheme != "http" && scheme != "https")
		return "the scheme must be http or https";
	secure = scheme == "https";
	host = uri.getHost();
	if (host.empty())
		return "no host";
	const std::size_t authority = target.find("://") + 3;
	const std::size_t authorityEnd = target.find_first_of("/?#", authority);
	if (target.substr(authority, authorityEnd == std::string::npos ? std::string::npos : authorityEnd - authority).find('@') != std::string::npos)
		return "credentials in the URL are not supported (use an authorization header)";
	port = uri.getPort();  // Poco::URI refuses port 0 and ports above 65535
	if (target.find('#') != std::string::npos)
		return "a #fragment is not sent to a receiver; remove it";

	// The request target exactly as written in the URL (Poco's URI decodes the path).
	pathAndQuery = authorityEnd == std::string::npos ? std::string() : target.substr(authorityEnd);
	if (pathAndQuery.empty() || pathAndQuery[0] != '/')
		pathAndQuery.insert(0, "/");

	const bool ipv6 = host.find(':') != std::string::npos;
	hostHeader = ipv6 ? "[" + host + "]" : host;
	const Poco::UInt16 defaultPort = secure ? 443 : 80;
	if (port != defaultPort)
		hostHeader += ":" + Poco::NumberFormatter::format(port);
	poolKey = scheme + "://" + Poco::toLower(ipv6 ? "[" + host + "]" : host) + ":" + Poco::NumberFormatter::format(port);
	return std::string();
}

} // namespace Hookgate

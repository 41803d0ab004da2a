#include "transports/HTTPHeader.h"
#include "transports/PrintableText.h"

#include <Poco/String.h>

namespace Hookgate {

namespace {

bool isTokenChar(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
}

} // namespace

std::string HTTPHeader::checkName(const std::string& name)
{
	if (name.empty() || name.size() > MAX_NAME)
		return "a header name has 1 to " + std::to_string(MAX_NAME) + " characters, got " + std::to_string(name.size());
	for (std::size_t i = 0; i < name.size(); ++i)
	{
		// Everything before i is a token character, so byte i is character i + 1.
		const unsigned char c = static_cast<unsigned char>(name[i]);
		if (!isTokenChar(name[i]))
			return (PrintableText::check(name).empty() ? "'" + name + "'" : std::string("the name")) + " is not a valid HTTP header name: "
				+ (c > 0x20 && c < 0x7F ? "'" + std::string(1, name[i]) + "'" : c == 0x20 ? std::string("a space") : c < 0x80 ? PrintableText::codePoint(c) : std::string("a non-ASCII character"))
				+ " at character " + std::to_string(i + 1) + "; letters, digits and !#$%&'*+-.^_`|~ only";
	}
	return std::string();
}

std::string HTTPHeader::checkValue(const std::string& value)
{
	if (value.size() > MAX_VALUE)
		return "is longer than " + std::to_string(MAX_VALUE) + " characters";
	for (std::size_t i = 0; i < value.size(); ++i)
	{
		// Everything before i is ASCII, so byte i is character i + 1.
		const unsigned char c = static_cast<unsigned char>(value[i]);
		if (c < 0x20 || c == 0x7F)
			return "contains the control character " + PrintableText::codePoint(c) + " at character " + std::to_string(i + 1);
		if (c >= 0x80)
			return "contains a non-ASCII character at character " + std::to_string(i + 1) + "; HTTP header values are ASCII";
	}
	if (!value.empty() && (value.front() == ' ' || value.back() == ' '))
		return "must not begin or end with a space";
	return std::string();
}

bool HTTPHeader::isSetByTransport(const std::string& name)
{
	static const char* const reserved[] = {"Host", "Content-Length", "Transfer-Encoding", "Connection"};
	for (const char* r: reserved)
	{
		if (Poco::icompare(name, r) == 0)
			return true;
	}
	return false;
}

} // namespace Hookgate

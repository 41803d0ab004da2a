#include "transports/EmailMessage.h"
#include "transports/EmailAddress.h"

#include <Poco/Base64Encoder.h>
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace Hookgate {

namespace {

const std::size_t FOLD_AT = 78;     // RFC 5322 2.1.1: SHOULD
const std::size_t MAX_LINE = 998;   // RFC 5322 2.1.1: MUST
const std::size_t MAX_ENCODED_WORD = 75;  // RFC 2047 2
const std::string WORD_PREFIX("=?utf-8?Q?");
const std::string WORD_SUFFIX("?=");
const char* HEX = "0123456789ABCDEF";

bool hasLineBreakOrNul(const std::string& value)
{
	return value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos;
}

/// Printable ASCII, spaces and tabs; nothing a reader would take for an encoded-word.
bool isPlainText(const std::string& value)
{
	if (value.find("=?") != std::string::npos)
		return false;
	return std::all_of(value.begin(), value.end(), [](char c) { return (c >= 0x20 && c <= 0x7e) || c == '\t'; });
}

/// The length of the valid UTF-8 sequence at text[i], or 0 if there is none.
std::size_t utf8SequenceLength(const std::string& text, std::size_t i)
{
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
	const unsigned char c = byte(i);
	if (c < 0x80)
		return 1;
	std::size_t length = 0;
	unsigned char low = 0x80, high = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		length = 2;
	else if (c >= 0xe0 && c <= 0xef)
	{
		length = 3;
		if (c == 0xe0) low = 0xa0;
		if (c == 0xed) high = 0x9f;  // no surrogates
	}
	else if (c >= 0xf0 && c <= 0xf4)
	{
		length = 4;
		if (c == 0xf0) low = 0x90;
		if (c == 0xf4) high = 0x8f;
	}
	else
		return 0;
	if (i + length > text.size())
		return 0;
	if (byte(i + 1) < low || byte(i + 1) > high)
		return 0;
	for (std::size_t k = 2; k < length; ++k)
	{
		if (byte(i + k) < 0x80 || byte(i + k) > 0xbf)
			return 0;
	}
	return length;
}

/// text with every invalid UTF-8 byte replaced by U+FFFD.
std::string validUtf8(const std::string& text)
{
	std::string result;
	result.reserve(text.size());
	for (std::size_t i = 0; i < text.size();)
	{
		const std::size_t length = utf8SequenceLength(text, i);
		if (length == 0)
		{
			result += "\xEF\xBF\xBD";
			++i;
		}
		else
		{
			result.append(text, i, length);
			i += length;
		}
	}
	return result;
}

/// The RFC 2047 Q encoding of one character (a complete UTF-8 sequence).
/// Only characters allowed in every position of an encoded-word stay as they are.
std::string qEncode(const std::string& character)
{
	std::string result;
	for (char ch: character)
	{
		const unsigned char c = static_cast<unsigned char>(ch);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' || c == '-' || c == '/')
			result += ch;
		else if (c == ' ')
			result += '_';
		else
		{
			result += '=';
			result += HEX[c >> 4];
			result += HEX[c & 0x0f];
		}
	}
	return result;
}

/// Header line(s) "<prefix><encoded-words><suffix>": text (valid UTF-8) as
/// encoded-words, one per line, each line at most FOLD_AT characters where the
/// prefix allows; suffix (e.g. " <address>") goes on the last line or its own.
std::string encodedWords(const std::string& prefix, const std::string& text, const std::string& suffix)
{
	const std::size_t overhead = WORD_PREFIX.size() + WORD_SUFFIX.size();
	const std::size_t maxText = MAX_ENCODED_WORD - overhead;  // 63
	const std::size_t minText = 12;                            // one 4-byte character
	std::string result = prefix;
	std::size_t lineLength = prefix.size();
	bool firstWord = true;
	std::string word;
	const auto room = [&]() {
		const std::size_t start = firstWord ? prefix.size() : 1;
		const std::size_t available = FOLD_AT > start + overhead ? FOLD_AT - start - overhead : 0;
		return std::min(std::max(available, minText), maxText);
	};
	const auto flush = [&]() {
		if (!firstWord)
		{
			result += "\r\n ";
			lineLength = 1;
		}
		result += WORD_PREFIX + word + WORD_SUFFIX;
		lineLength += overhead + word.size();
		word.clear();
		firstWord = false;
	};
	for (std::size_t i = 0; i < text.size();)
	{
		const std::size_t length = std::max<std::size_t>(utf8SequenceLength(text, i), 1);
		const std::string encoded = qEncode(text.substr(i, length));
		if (!word.empty() && word.size() + encoded.size() > room())
			flush();
		word += encoded;
		i += length;
	}
	if (!word.empty())
		flush();
	if (!suffix.empty())
	{
		if (!firstWord && lineLength + suffix.size() > FOLD_AT)
			result += "\r\n";
		result += suffix;
	}
	return result;
}

/// "Name: value" folded at whitespace; empty if some line would still exceed MAX_LINE.
std::string foldPlain(const std::string& name, const std::string& value)
{
	std::string result = name + ":";
	if (value.empty())
		return result;
	result += ' ';
	std::size_t lineLength = result.size();
	std::size_t longest = 0;
	bool first = true;
	for (std::size_t i = 0; i < value.size();)
	{
		// One segment: a run of whitespace, then a run of other characters.
		std::size_t j = i;
		while (j < value.size() && (value[j] == ' ' || value[j] == '\t'))
			++j;
		const std::string space = value.substr(i, j - i);
		std::size_t k = j;
		while (k < value.size() && value[k] != ' ' && value[k] != '\t')
			++k;
		const std::string word = value.substr(j, k - j);
		i = k;

		if (!first && !space.empty() && !word.empty() && lineLength + space.size() + word.size() > FOLD_AT)
		{
			// Fold before the last whitespace character: unfolding restores the value exactly.
			result.append(space, 0, space.size() - 1);
			longest = std::max(longest, lineLength + space.size() - 1);
			result += "\r\n";
			result += space.back();
			result += word;
			lineLength = 1 + word.size();
		}
		else
		{
			result += space;
			result += word;
			lineLength += space.size() + word.size();
		}
		first = false;
	}
	longest = std::max(longest, lineLength);
	return longest <= MAX_LINE ? result : std::string();
}

/// Splits "Display Name <address>" or "address"; returns an error text or "".
std::string parseMailbox(const std::string& text, std::string& displayName, std::string& address)
{
	const std::string mailbox = Poco::trim(text);
	displayName.clear();
	address = mailbox;
	if (!mailbox.empty() && mailbox.back() == '>')
	{
		const std::size_t open = mailbox.rfind('<');
		if (open == std::string::npos)
			return "unbalanced angle brackets";
		address = mailbox.substr(open + 1, mailbox.size() - open - 2);
		displayName = Poco::trim(mailbox.substr(0, open));
		if (displayName.size() >= 2 && displayName.front() == '"' && displayName.back() == '"')
		{
			std::string unquoted;
			for (std::size_t i = 1; i + 1 < displayName.size(); ++i)
			{
				if (displayName[i] == '\\' && i + 2 < displayName.size())
					++i;
				unquoted += displayName[i];
			}
			displayName = unquoted;
		}
	}
	return EmailAddress::check(address);
}

/// The From header for a display name (may be empty) and an address.
std::string formatMailboxHeader(const std::string& name, const std::string& displayName, const std::string& address)
{
	if (displayName.empty())
		return name + ": " + address;
	const std::string suffix = " <" + address + ">";
	if (isPlainText(displayName) && displayName.find('\t') == std::string::npos)
	{
		const bool atoms = std::all_of(displayName.begin(), displayName.end(), [](char c) {
			return std::string("()<>[]:;@\\,.\"").find(c) == std::string::npos;
		});
		std::string phrase;
		if (atoms)
			phrase = displayName;
		else
		{
			phrase = "\"";
			for (char c: displayName)
			{
				if (c == '"' || c == '\\')
					phrase += '\\';
				phrase += c;
			}
			phrase += "\"";
		}
		const std::string line = name + ": " + phrase + suffix;
		if (line.size() <= FOLD_AT)
			return line;
		if (name.size() + 2 + phrase.size() <= MAX_LINE)
			return name + ": " + phrase + "\r\n" + suffix;
	}
	return encodedWords(name + ": ", validUtf8(displayName), suffix);
}

/// A MIME parameter: name="value" for printable ASCII, RFC 2231 name*=utf-8''... otherwise.
std::string mimeParameter(const std::string& name, const std::string& value)
{
	const bool ascii = std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
	if (ascii)
	{
		std::string result = name + "=\"";
		for (char c: value)
		{
			if (c == '"' || c == '\\')
				result += '\\';
			result += c;
		}
		return result + "\"";
	}
	std::string result = name + "*=utf-8''";
	for (char ch: value)
	{
		const unsigned char c = static_cast<unsigned char>(ch);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::string("!#$&+-.^_`|~").find(ch) != std::string::npos)
			result += ch;
		else
		{
			result += '%';
			result += HEX[c >> 4];
			result += HEX[c & 0x0f];
		}
	}
	return result;
}

/// "Name: value; p1; p2" with a fold before a parameter that would pass FOLD_AT.
std::string parameterHeader(const std::string& name, const std::string& value, const std::vector<std::string>& parameters)
{
	std::string result = name + ": " + value;
	std::size_t lineLength = result.size();
	for (const std::string& parameter: parameters)
	{
		if (lineLength + 2 + parameter.size() > FOLD_AT)
		{
			result += ";\r\n " + parameter;
			lineLength = 1 + parameter.size();
		}
		else
		{
			result += "; " + parameter;
			lineLength += 2 + parameter.size();
		}
	}
	return result;
}

/// Quoted-printable (RFC 2045 6.7) of text, lines broken at LF (CR LF or LF in
/// text become CRLF), encoded lines at most 76 characters. A "." at the start
/// of a line is encoded too, so no line of the body starts with a dot.
std::string quotedPrintable(const std::string& text)
{
	std::string result;
	std::size_t lineStart = 0;
	for (;;)
	{
		std::size_t lineEnd = text.find('\n', lineStart);
		const bool last = lineEnd == std::string::npos;
		std::string line = text.substr(lineStart, last ? std::string::npos : lineEnd - lineStart);
		if (!line.empty() && line.back() == '\r')
			line.pop_back();

		std::size_t column = 0;
		for (std::size_t i = 0; i < line.size(); ++i)
		{
			const unsigned char c = static_cast<unsigned char>(line[i]);
			const bool atEnd = i + 1 == line.size();
			std::string token;
			if (((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !atEnd)) && !(c == '.' && column == 0))
				token = std::string(1, static_cast<char>(c));
			else
			{
				token = "=";
				token += HEX[c >> 4];
				token += HEX[c & 0x0f];
			}
			// A soft line break "=" must fit within 76 characters too.
			const std::size_t limit = atEnd ? 76 : 75;
			if (column + token.size() > limit)
			{
				result += "=\r\n";
				column = 0;
				if (c == '.')
					token = "=2E";
			}
			result += token;
			column += token.size();
		}
		if (last)
			break;
		result += "\r\n";
		lineStart = lineEnd + 1;
	}
	return result;
}

/// Base64 of data in lines of 76 characters separated by CRLF (no final CRLF).
std::string base64Lines(const std::string& data)
{
	std::ostringstream ostr;
	Poco::Base64Encoder encoder(ostr);
	encoder.rdbuf()->setLineLength(0);
	encoder.write(data.data(), static_cast<std::streamsize>(data.size()));
	encoder.close();
	const std::string encoded = ostr.str();
	std::string result;
	result.reserve(encoded.size() + encoded.size() / 38 + 2);
	for (std::size_t i = 0; i < encoded.size(); i += 76)
	{
		if (i > 0)
			result += "\r\n";
		result.append(encoded, i, 76);
	}
	return result;
}

std::string randomHex()
{
	std::string uuid = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
	uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
	return uuid;
}

bool isReserved(const std::string& name)
{
	static const char* reserved[] = {"From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "MIME-Version"};
	for (const char* r: reserved)
	{
		if (Poco::icompare(name, r) == 0)
			return true;
	}
	return Poco::icompare(name, 0, 8, std::string("Content-")) == 0;
}

bool isHeaderName(const std::string& name)
{
	return !name.empty() && name.size() <= 76 && std::all_of(name.begin(), name.end(), [](char c) { return c >= 0x21 && c <= 0x7e && c != ':'; });
}

bool isToken(const std::string& text)
{
	return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
	});
}

} // namespace

const std::string EmailMessage::DEFAULT_DOMAIN("hookgate.local");
const std::string EmailMessage::DEFAULT_ATTACHMENT_NAME("payload.json");
const std::size_t EmailMessage::MAX_ATTACHMENT_NAME = 255;

EmailMessage::EmailMessage(const std::string& from, const std::string& to, const DeliveryRequest& request,
	const std::string& messageIdDomain, const Poco::Timestamp& date)
{
	std::string error = checkSender(from);
	if (!error.empty())
		throw Poco::InvalidArgumentException("invalid sender address \"" + from + "\": " + error);
	std::string displayName;
	parseMailbox(from, displayName, _senderAddress);
	error = EmailAddress::check(to);
	if (!error.empty())
		throw Poco::InvalidArgumentException("invalid recipient address \"" + to + "\": " + error);
	_recipientAddress = to;
	if (hasLineBreakOrNul(request.subject))
		throw Poco::InvalidArgumentException("invalid subject: contains CR, LF or NUL");

	const std::string attachmentName = request.attachmentName.empty() ? DEFAULT_ATTACHMENT_NAME : request.attachmentName;
	if (std::any_of(attachmentName.begin(), attachmentName.end(), [](char c) { return (c >= 0 && c < 0x20) || c == 0x7f; }))
		throw Poco::InvalidArgumentException("invalid attachment name \"" + attachmentName + "\": contains control characters (CR, LF, ...)");
	if (attachmentName.size() > MAX_ATTACHMENT_NAME)
		throw Poco::InvalidArgumentException("invalid attachment name \"" + attachmentName + "\": longer than " + std::to_string(MAX_ATTACHMENT_NAME) + " bytes");

	const std::string contentType = request.contentType.empty() ? std::string("application/json") : Poco::trim(request.contentType);
	{
		const std::string type = Poco::trim(contentType.substr(0, contentType.find(';')));
		const std::size_t slash = type.find('/');
		if (contentType.size() > 200 || hasLineBreakOrNul(contentType) || slash == std::string::npos || !isToken(type.substr(0, slash)) || !isToken(type.substr(slash + 1))
			|| !std::all_of(contentType.begin(), contentType.end(), [](char c) { return c >= 0x20 && c <= 0x7e; }))
			throw Poco::InvalidArgumentException("invalid content type \"" + request.contentType + "\"");
	}

	std::string headers;
	for (const auto& header: request.headers)
	{
		if (!isHeaderName(header.first))
			throw Poco::InvalidArgumentException("invalid header name \"" + header.first + "\"");
		if (hasLineBreakOrNul(header.second))
			throw Poco::InvalidArgumentException("invalid value for header " + header.first + ": contains CR, LF or NUL");
		if (isReserved(header.first))
			throw Poco::InvalidArgumentException("header " + header.first + " is set by the transport and cannot be overridden");
		headers += encodeHeader(header.first, header.second) + "\r\n";
	}

	const std::string domain = messageIdDomain.empty() ? domainOf(from) : messageIdDomain;
	if (!EmailAddress::isDomain(domain))
		throw Poco::InvalidArgumentException("invalid Message-ID domain \"" + domain + "\"");
	_messageId = "<hookgate." + randomHex() + "@" + domain + ">";
	const std::string boundary = "=_hookgate_" + randomHex();

	std::string& m = _bytes;
	m.reserve(request.body.size() * 4 / 3 + request.text.size() * 3 + headers.size() + 2048);
	m += formatMailboxHeader("From", displayName, _senderAddress) + "\r\n";
	m += "To: " + _recipientAddress + "\r\n";
	m += encodeHeader("Subject", validUtf8(request.subject)) + "\r\n";
	m += "Date: " + Poco::DateTimeFormatter::format(Poco::DateTime(date), "%w, %d %b %Y %H:%M:%S +0000") + "\r\n";
	m += "Message-ID: " + _messageId + "\r\n";
	m += "MIME-Version: 1.0\r\n";
	m += headers;
	m += parameterHeader("Content-Type", "multipart/mixed", {"boundary=\"" + boundary + "\""}) + "\r\n";
	m += "\r\n";
	m += "This is a multi-part message in MIME format.\r\n";

	m += "\r\n--" + boundary + "\r\n";
	m += "Content-Type: text/plain; charset=utf-8\r\n";
	m += "Content-Transfer-Encoding: quoted-printable\r\n";
	m += "\r\n";
	m += quotedPrintable(validUtf8(request.text));

	m += "\r\n--" + boundary + "\r\n";
	m += parameterHeader("Content-Type", contentType, {mimeParameter("name", attachmentName)}) + "\r\n";
	m += "Content-Transfer-Encoding: base64\r\n";
	m += parameterHeader("Content-Disposition", "attachment", {mimeParameter("filename", attachmentName)}) + "\r\n";
	m += "\r\n";
	m += base64Lines(request.body);

	m += "\r\n--" + boundary + "--\r\n";
}

std::unique_ptr<EmailMessage> EmailMessage::create(const std::string& from, const DeliveryRequest& request, DeliveryOutcome& outcome)
{
	try
	{
		return std::make_unique<EmailMessage>(from, request.target, request);
	}
	catch (Poco::InvalidArgumentException& exc)
	{
		outcome.kind = DeliveryOutcome::Kind::Permanent;
		outcome.error = exc.message();
		return nullptr;
	}
}

std::string EmailMessage::checkSender(const std::string& from)
{
	if (hasLineBreakOrNul(from))
		return "contains CR, LF or NUL";
	std::string displayName;
	std::string address;
	return parseMailbox(from, displayName, address);
}

std::string EmailMessage::domainOf(const std::string& from)
{
	std::string displayName;
	std::string address;
	parseMailbox(from, displayName, address);
	const std::size_t at = address.rfind('@');
	if (at == std::string::npos)
		return DEFAULT_DOMAIN;
	const std::string domain = address.substr(at + 1);
	return EmailAddress::isDomain(domain) ? domain : DEFAULT_DOMAIN;
}

std::string EmailMessage::encodeHeader(const std::string& name, const std::string& value)
{
	if (isPlainText(value))
	{
		const std::string folded = foldPlain(name, value);
		if (!folded.empty())
			return folded;
	}
	return encodedWords(name + ": ", validUtf8(value), std::string());
}

} // namespace Hookgate

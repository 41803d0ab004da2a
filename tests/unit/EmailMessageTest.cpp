#include "transports/EmailMessage.h"

#include "EmailPythonParser.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/StringTokenizer.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

using Hookgate::DeliveryRequest;
using Hookgate::EmailMessage;
using Hookgate::Test::EmailParsed;
using Hookgate::Test::EmailPythonParser;

namespace {

DeliveryRequest emailRequest()
{
	DeliveryRequest request;
	request.target = "receiver@example.com";
	request.headers = {{"X-Webhook-Id", "msg_2YkQ7dLhZ9"}};
	request.body = "{\"id\":\"msg_2YkQ7dLhZ9\",\"type\":\"appointment.booking.created\",\"data\":{\"customer\":\"J\xC3\xBCrgen\"}}";
	request.subject = "appointment.booking.created";
	request.text = "Event appointment.booking.created\nDelivery dlv_123\n";
	request.attachmentName = "appointment.booking.created_dlv_123.json";
	return request;
}

/// Every byte value, CR LF sequences and SMTP's end-of-data marker: the attachment must not care.
std::string awkwardBytes()
{
	std::string bytes;
	for (int i = 0; i < 256; ++i)
		bytes += static_cast<char>(i);
	bytes += "\r\n.\r\n..\n.\r\nFrom the start\r\n";
	bytes += std::string(1000, 'x');
	bytes += "\xC3";  // a length that is not a multiple of 3, ending in a broken UTF-8 sequence
	return bytes;
}

/// The message() of what fn throws, or "" when it throws nothing.
std::string errorOf(const std::function<void()>& fn)
{
	try
	{
		fn();
	}
	catch (Poco::Exception& exc)
	{
		return exc.message();
	}
	return std::string();
}

std::vector<std::string> lines(const std::string& bytes)
{
	std::vector<std::string> result;
	std::size_t start = 0;
	for (;;)
	{
		const std::size_t end = bytes.find("\r\n", start);
		if (end == std::string::npos)
		{
			result.push_back(bytes.substr(start));
			return result;
		}
		result.push_back(bytes.substr(start, end - start));
		start = end + 2;
	}
}

/// The header section's lines.
std::vector<std::string> headerLines(const std::string& bytes)
{
	return lines(bytes.substr(0, bytes.find("\r\n\r\n")));
}

std::string joinDefects(const EmailParsed& parsed)
{
	std::string result;
	for (const std::string& defect: parsed.defects)
		result += defect + "\n";
	return result;
}

#define REQUIRE_NO_DEFECTS(parsed) \
	do { INFO(joinDefects(parsed)); REQUIRE((parsed).defects.empty()); } while (false)

} // namespace

TEST_CASE("An email message parses without defects and carries the payload byte for byte as a JSON attachment", "[email]")
{
	DeliveryRequest request = emailRequest();
	SECTION("a JSON payload") {}
	SECTION("every byte value") { request.body = awkwardBytes(); }
	SECTION("an empty payload") { request.body.clear(); }

	const Poco::Timestamp date = Poco::Timestamp::fromEpochTime(1795795509);  // 2026-11-27 16:05:09 UTC
	const EmailMessage message("hookgate@mail.example.org", request.target, request, std::string(), date);
	const EmailParsed parsed = EmailPythonParser::parse(message.bytes());

	REQUIRE_NO_DEFECTS(parsed);
	CHECK(parsed.onlyCRLF);
	CHECK(parsed.endsWithCRLF);
	CHECK(parsed.maxLineLength <= 78);

	CHECK(parsed.header("From") == "hookgate@mail.example.org");
	CHECK(parsed.header("To") == "receiver@example.com");
	CHECK(parsed.header("Subject") == "appointment.booking.created");
	CHECK(parsed.header("MIME-Version") == "1.0");
	CHECK(parsed.header("X-Webhook-Id") == "msg_2YkQ7dLhZ9");
	CHECK(parsed.count("Message-ID") == 1);
	CHECK(parsed.header("Message-ID") == message.messageId());
	CHECK(Poco::RegularExpression("^<hookgate\\.[0-9a-f]{32}@mail\\.example\\.org>$").match(message.messageId()));
	CHECK(message.bytes().find("\r\nDate: Fri, 27 Nov 2026 16:05:09 +0000\r\n") != std::string::npos);
	CHECK(parsed.dateISO == "2026-11-27T16:05:09+00:00");
	CHECK(message.senderAddress() == "hookgate@mail.example.org");
	CHECK(message.recipientAddress() == "receiver@example.com");

	CHECK(parsed.contentType == "multipart/mixed");
	REQUIRE(parsed.parts.size() == 2);
	CHECK(parsed.parts[0].contentType == "text/plain");
	CHECK(parsed.parts[0].charset == "utf-8");
	CHECK(parsed.parts[0].disposition.empty());
	CHECK(parsed.parts[0].text == request.text);

	const auto& attachment = parsed.parts[1];
	CHECK(attachment.contentType == "application/json");
	CHECK(attachment.transferEncoding == "base64");
	CHECK(attachment.disposition == "attachment");
	CHECK(attachment.filename == "appointment.booking.created_dlv_123.json");
	CHECK(attachment.data.size() == request.body.size());
	CHECK(attachment.data == request.body);
}

TEST_CASE("A non-ASCII subject is RFC 2047 encoded and decodes to the original", "[email]")
{
	DeliveryRequest request = emailRequest();
	SECTION("short")
	{
		request.subject = "Buchung best\xC3\xA4tigt \xE2\x80\x93 Termin";
	}
	SECTION("long, with characters of every UTF-8 length, folded")
	{
		request.subject.clear();
		for (int i = 0; i < 12; ++i)
			request.subject += "Buchung best\xC3\xA4tigt \xE2\x80\x93 Termin \xF0\x9F\x93\x85 ";
	}
	const EmailMessage message("hookgate@localhost", request.target, request);
	const EmailParsed parsed = EmailPythonParser::parse(message.bytes());

	REQUIRE_NO_DEFECTS(parsed);
	CHECK(parsed.header("Subject") == request.subject);
	CHECK(message.bytes().find("\r\nSubject: =?utf-8?Q?Buchung_best=C3=A4tigt_=E2=80=93_Termin") != std::string::npos);
	// The whole message is 7-bit: nothing depends on the server's 8BITMIME.
	CHECK(std::all_of(message.bytes().begin(), message.bytes().end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
	for (const std::string& line: headerLines(message.bytes()))
	{
		INFO(line);
		CHECK(line.size() <= 78);
	}
}

TEST_CASE("A long ASCII subject is folded at whitespace and unfolds to the original", "[email]")
{
	DeliveryRequest request = emailRequest();
	SECTION("words")
	{
		request.subject.clear();
		for (int i = 0; i < 30; ++i)
			request.subject += "appointment.booking.created for account acc_" + std::to_string(i) + " ";
		request.subject += "end";
	}
	SECTION("runs of spaces and tabs")
	{
		request.subject = std::string(60, 'a') + "    " + std::string(30, 'b') + "\t \t" + std::string(75, 'c') + "  d";
	}
	const EmailMessage message("hookgate@localhost", request.target, request);
	const EmailParsed parsed = EmailPythonParser::parse(message.bytes());

	REQUIRE_NO_DEFECTS(parsed);
	CHECK(parsed.header("Subject") == request.subject);
	CHECK(message.bytes().find("=?utf-8?") == std::string::npos);  // plain ASCII stays readable
	for (const std::string& line: headerLines(message.bytes()))
	{
		INFO(line);
		CHECK(line.size() <= 78);
	}
}

TEST_CASE("No line of a message is longer than 998 characters, whatever the subject, headers and text", "[email]")
{
	DeliveryRequest request = emailRequest();
	request.subject = std::string(1500, 's');  // nothing to fold at: encoded-words instead
	request.headers.emplace_back("X-Long", std::string(2000, 'h'));
	request.text = std::string(3000, 't') + "\n" + std::string(500, ' ') + "\n";
	const EmailMessage message("hookgate@localhost", request.target, request);
	const EmailParsed parsed = EmailPythonParser::parse(message.bytes());

	REQUIRE_NO_DEFECTS(parsed);
	CHECK(parsed.maxLineLength <= 998);
	CHECK(parsed.header("Subject") == request.subject);
	CHECK(parsed.header("X-Long") == std::string(2000, 'h'));
	REQUIRE(parsed.parts.size() == 2);
	CHECK(parsed.parts[0].text == request.text);
}

TEST_CASE("The text part decodes to the original text, dots, equals signs, trailing spaces and CRLF included", "[email]")
{
	DeliveryRequest request = emailRequest();
	request.text = ".\n..\n.starts with a dot\nx = 1 == y\ntrailing spaces   \ntrailing tab\t\nJ\xC3\xBCrgen \xE2\x80\x93 \xF0\x9F\x93\x85\r\ncrlf line\r\n\nno final newline";
	const EmailMessage message("hookgate@localhost", request.target, request);
	const EmailParsed parsed = EmailPythonParser::parse(message.bytes());

	REQUIRE_NO_DEFECTS(parsed);
	REQUIRE(parsed.parts.size() == 2);
	std::string expected = request.text;
	Poco::replaceInPlace(expected, std::string("\r\n"), std::string("\n"));
	CHECK(parsed.parts[0].text == expected);
	CHECK(parsed.parts[0].transferEncoding == "quoted-printable");
	for (const std::string& line: lines(message.bytes()))
		CHECK_FALSE((!line.empty() && line[0] == '.'));  // no line starts with a dot
}

TEST_CASE("Every message gets a unique Message-ID whose domain is the sender's", "[email]")
{
	const DeliveryRequest request = emailRequest();
	std::set<std::string> ids;
	for (int i = 0; i < 1000; ++i)
		ids.insert(EmailMessage("hookgate@example.net", request.target, request).messageId());
	CHECK(ids.size() == 1000);

	CHECK(EmailMessage::domainOf("hookgate@localhost") == "localhost");
	CHECK(EmailMessage::domainOf("Hookgate <noreply@mail.example.com>") == "mail.example.com");
	CHECK(EmailMessage::domainOf("noreply@[192.0.2.1]") == "hookgate.local");
	CHECK(EmailMessage::domainOf("no address") == "hookgate.local");
	CHECK(EmailMessage("a@b.example", request.target, request, "ids.example.org").messageId().find("@ids.example.org>") != std::string::npos);

	const EmailParsed parsed = EmailPythonParser::parse(EmailMessage("Hookgate <noreply@mail.example.com>", request.target, request).bytes());
	REQUIRE_NO_DEFECTS(parsed);
	CHECK(Poco::endsWith(parsed.header("Message-ID"), std::string("@mail.example.com>")));
}

TEST_CASE("A sender's display name is kept, quoted or encoded as needed", "[email]")
{
	const DeliveryRequest request = emailRequest();
	const auto fromOf = [&](const std::string& from) {
		const EmailParsed parsed = EmailPythonParser::parse(EmailMessage(from, request.target, request).bytes());
		INFO(joinDefects(parsed));
		CHECK(parsed.defects.empty());
		return parsed.header("From");
	};
	CHECK(fromOf("Hookgate <noreply@example.com>") == "Hookgate <noreply@example.com>");
	CHECK(fromOf("\"Acme, Inc.\" <noreply@example.com>") == "\"Acme, Inc.\" <noreply@example.com>");
	CHECK(fromOf("Salon B\xC3\xBCrger <noreply@example.com>") == "Salon B\xC3\xBCrger <noreply@example.com>");
	CHECK(EmailMessage("Hookgate <noreply@example.com>", request.target, request).senderAddress() == "noreply@example.com");
}

TEST_CASE("A non-ASCII attachment name is sent as an RFC 2231 parameter", "[email]")
{
	DeliveryRequest request = emailRequest();
	request.attachmentName = "Buchung_best\xC3\xA4tigt \"1\".json";
	const EmailMessage message("hookgate@localhost", request.target, request);
	const EmailParsed parsed = EmailPythonParser::parse(message.bytes());
	REQUIRE_NO_DEFECTS(parsed);
	REQUIRE(parsed.parts.size() == 2);
	CHECK(parsed.parts[1].filename == request.attachmentName);
	CHECK(parsed.parts[1].data == request.body);
	CHECK(message.bytes().find("filename*=utf-8''Buchung_best%C3%A4tigt%20%221%22.json") != std::string::npos);

	request.attachmentName.clear();
	const EmailParsed unnamed = EmailPythonParser::parse(EmailMessage("hookgate@localhost", request.target, request).bytes());
	REQUIRE(unnamed.parts.size() == 2);
	CHECK(unnamed.parts[1].filename == "payload.json");
}

TEST_CASE("CR or LF in a header value, an invalid address or a reserved header is refused with a message naming it", "[email]")
{
	const DeliveryRequest valid = emailRequest();
	const auto build = [](const std::string& from, const DeliveryRequest& request) {
		return errorOf([&]() { EmailMessage message(from, request.target, request); });
	};
	DeliveryRequest request = valid;

	request.subject = "Hello\r\nBcc: victim@example.com";
	CHECK(build("hookgate@localhost", request) == "invalid subject: contains CR, LF or NUL");

	request = valid;
	request.headers = {{"X-Webhook-Id", "msg_1\nBcc: victim@example.com"}};
	CHECK(build("hookgate@localhost", request) == "invalid value for header X-Webhook-Id: contains CR, LF or NUL");

	request = valid;
	request.headers = {{"Bad Name", "x"}};
	CHECK(build("hookgate@localhost", request) == "invalid header name \"Bad Name\"");

	request = valid;
	request.headers = {{"content-type", "text/html"}};
	CHECK(build("hookgate@localhost", request) == "header content-type is set by the transport and cannot be overridden");

	request = valid;
	request.attachmentName = "a\r\nb.json";
	CHECK(build("hookgate@localhost", request) == "invalid attachment name \"a\r\nb.json\": contains control characters (CR, LF, ...)");

	request = valid;
	request.target = "receiver@example.com\r\nRCPT TO:<victim@example.com>";
	CHECK(build("hookgate@localhost", request) == "invalid recipient address \"" + request.target + "\": contains the control character U+000D at character 21");

	request = valid;
	request.target = "a@example.com, b@example.com";
	CHECK(build("hookgate@localhost", request) == "invalid recipient address \"a@example.com, b@example.com\": exactly one address, without ',' or ';'");

	request = valid;
	request.target = "Receiver <receiver@example.com>";
	CHECK(build("hookgate@localhost", request) == "invalid recipient address \"Receiver <receiver@example.com>\": a plain address like name@example.com, without a display name");

	CHECK(build("hookgate", valid) == "invalid sender address \"hookgate\": expected exactly one '@', as in name@example.com");
	CHECK(build("Hook\ngate <hookgate@localhost>", valid) == "invalid sender address \"Hook\ngate <hookgate@localhost>\": contains CR, LF or NUL");

	request = valid;
	request.contentType = "application/json\r\nX-Injected: 1";
	CHECK(build("hookgate@localhost", request) == "invalid content type \"application/json\r\nX-Injected: 1\"");

	request = valid;
	request.target = "receiver@[127.0.0.1]";
	CHECK(build("hookgate@localhost", request) == "invalid recipient address \"receiver@[127.0.0.1]\": an address literal like [192.0.2.1] is not supported; use a domain name");

	CHECK(build("hookgate@localhost", valid).empty());
}

TEST_CASE("Header lines are folded before 78 columns at whitespace and unfold to the original value", "[email]")
{
	std::string value;
	for (int i = 0; i < 40; ++i)
		value += "word" + std::to_string(i) + (i % 3 == 0 ? "  " : " ");
	const std::string header = EmailMessage::encodeHeader("X-Folded", value);
	for (const std::string& line: lines(header))
	{
		INFO(line);
		CHECK(line.size() <= 78);
	}
	std::string unfolded = header;
	Poco::replaceInPlace(unfolded, std::string("\r\n"), std::string());
	CHECK(unfolded == "X-Folded: " + value);
	CHECK(EmailMessage::encodeHeader("X-Empty", "") == "X-Empty:");
	CHECK(EmailMessage::encodeHeader("X-Looks-Encoded", "=?utf-8?Q?x?=") == "X-Looks-Encoded: =?utf-8?Q?=3D=3Futf-8=3FQ=3Fx=3F=3D?=");
}

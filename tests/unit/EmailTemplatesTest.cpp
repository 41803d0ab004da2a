#include "gateway/EmailAddress.h"
#include "gateway/EmailTemplates.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

using namespace Hookgate;

namespace {

std::string checkError(const std::string& text)
{
	try
	{
		EmailTemplates::check(text, "body.txt");
	}
	catch (const Poco::DataFormatException& e)
	{
		return e.message();
	}
	return "(no error)";
}

} // namespace

TEST_CASE("email templates fill in every placeholder and keep literal braces", "[email-templates]")
{
	const std::map<std::string, std::string> values{{"eventType", "customer.created"}, {"eventId", "msg_1"}, {"account", "acme"}};
	CHECK(EmailTemplates::render("{{eventType}} of {{ account }}: {{eventId}}", values) == "customer.created of acme: msg_1");
	CHECK(EmailTemplates::render("literal {{{{eventType}} stays", values) == "literal {{eventType}} stays");
	CHECK(EmailTemplates::render("no placeholders", values) == "no placeholders");
}

TEST_CASE("a bad email template is refused with its line and reason", "[email-templates]")
{
	CHECK(checkError("fine {{eventType}}") == "(no error)");
	CHECK(checkError("line 1\nline 2 {{evenType}}") ==
		"body.txt, line 2: unknown placeholder '{{evenType}}'; known: account, attachmentName, created, deliveryId, endpointId, eventId, eventType");
	CHECK(checkError("a\nb\nc {{eventType\n}}") == "body.txt, line 3: '{{' without a closing '}}' (write '{{{{' for a literal '{{')");
}

TEST_CASE("templates are loaded from the email folder and checked at load", "[email-templates]")
{
	Poco::TemporaryFile dir;
	Poco::File(Poco::Path(dir.path()).makeDirectory().pushDirectory("email")).createDirectories();
	{
		Poco::FileOutputStream out(Poco::Path(dir.path()).makeDirectory().pushDirectory("email").setFileName("subject.txt").toString());
		out << "Neue Buchung: {{eventType}}\n";
	}
	EmailTemplates templates;
	templates.load(dir.path());
	CHECK(templates.subject({{"eventType", "appointment.booking.created"}}) == "Neue Buchung: appointment.booking.created");
	CHECK_FALSE(templates.text({{"eventType", "x"}}).empty());  // body.txt missing: the default stays

	{
		Poco::FileOutputStream out(Poco::Path(dir.path()).makeDirectory().pushDirectory("email").setFileName("body.txt").toString());
		out << "ok\n{{nope}}\n";
	}
	EmailTemplates broken;
	CHECK_THROWS_AS(broken.load(dir.path()), Poco::DataFormatException);
}

TEST_CASE("the shipped email templates load", "[email-templates]")
{
	EmailTemplates templates;
	REQUIRE_NOTHROW(templates.load(HOOKGATE_SOURCE_DIR "/templates"));
	const std::string subject = templates.subject({{"eventType", "customer.created"}, {"account", "acme"}});
	CHECK(subject.find("customer.created") != std::string::npos);
}

TEST_CASE("an endpoint email is one plain address", "[email-templates]")
{
	CHECK(EmailAddress::check("bookings@acme.example").empty());
	CHECK(EmailAddress::check("first.last+tag@sub.example.co").empty());
	CHECK(EmailAddress::check("a@b, c@d") == "'a@b, c@d': exactly one address, without ',' or ';'");
	CHECK(EmailAddress::check("ACME <a@b.example>") == "'ACME <a@b.example>': a plain address like name@example.com, without a display name");
	CHECK(EmailAddress::check("a@b.example\r\nBcc: x@y") == "must not contain CR or LF");
	CHECK(EmailAddress::check("no-at-sign") == "'no-at-sign': expected exactly one '@', as in name@example.com");
	CHECK(EmailAddress::check("a@@b") == "'a@@b': expected exactly one '@', as in name@example.com");
	CHECK(EmailAddress::check("a@-bad-.example") == "'a@-bad-.example': the domain '-bad-.example' is not a valid host name");
	CHECK(EmailAddress::check(".a@b.example") == "'.a@b.example': the part before '@' must not start or end with '.' or contain '..'");
	CHECK(EmailAddress::check("") == "an address is required");
}

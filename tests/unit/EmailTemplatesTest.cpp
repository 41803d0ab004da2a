#include "gateway/delivery/EmailTemplates.h"

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

#include "gateway/payload/JsonScanner.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/payload/PayloadTemplate.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

using Hookgate::EventEnvelope;
using Hookgate::JsonScanner;
using Hookgate::PayloadBuilder;
using Hookgate::PayloadTemplate;

namespace {

EventEnvelope makeEvent(const std::string& dataRaw)
{
	EventEnvelope event;
	event.id = "msg_tpl";
	event.type = "appointment.booking.created";
	event.created = "2026-11-27T16:05:09Z";
	event.source = "hookgate";
	event.dataRaw = dataRaw;
	return event;
}

/// The message of the Poco::DataFormatException thrown by `f`, or "no exception".
template <typename F>
std::string dataFormatMessage(F f)
{
	try
	{
		f();
	}
	catch (const Poco::DataFormatException& e)
	{
		return e.message();
	}
	return "no exception";
}

std::string parseError(const std::string& text)
{
	return dataFormatMessage([&] { PayloadTemplate::parse(text, "shape.json"); });
}

/// A templates folder with hierarchy/ in a temporary directory, removed at the end.
class TemplatesDir
{
public:
	TemplatesDir():
		_path(Poco::TemporaryFile::tempName())
	{
		Poco::File(_path + "/hierarchy").createDirectories();
	}

	~TemplatesDir()
	{
		try { Poco::File(_path).remove(true); } catch (...) {}
	}

	void write(const std::string& name, const std::string& content) const
	{
		std::ofstream out(_path + "/hierarchy/" + name, std::ios::binary);
		out << content;
	}

	const std::string& path() const { return _path; }

private:
	std::string _path;
};

} // namespace


TEST_CASE("Template errors name the file, line and column and the reason", "[payload]")
{
	struct Case
	{
		std::string text;
		std::string message;
	};
	const std::vector<Case> cases = {
		{"{\n\t\"a\": 1,\n\t\"b\": 2,\n}\n", "shape.json:4:1: invalid JSON: expected a string member name"},
		{"{\"a\": \"x\"\n\"b\": 1}", "shape.json:2:1: invalid JSON: expected ',' or '}'"},
		{"", "shape.json:1:1: invalid JSON: the document is empty"},
		{"{\"a\": // comment\n1}", "shape.json:1:7: invalid JSON: expected a value"},
		{"{\n  \"x\": \"{{nope.a}}\"\n}", "shape.json:2:8: placeholder '{{nope.a}}': unknown field 'nope'; a path starts with id, type, created, source or data"},
		{"{\n  \"x\": \"Hello {{data.name\"\n}", "shape.json:2:8: '{{' without a closing '}}' (write '{{{{' for a literal '{{')"},
		{"[\"{{}}\"]", "shape.json:1:2: placeholder '{{}}': the path is empty"},
		{"[\"{{  }}\"]", "shape.json:1:2: placeholder '{{  }}': the path is empty"},
		{"[\"{{data..x}}\"]", "shape.json:1:2: placeholder '{{data..x}}': empty segment in the path (two dots, or a dot at an end)"},
		{"[\"{{data.}}\"]", "shape.json:1:2: placeholder '{{data.}}': empty segment in the path (two dots, or a dot at an end)"},
		{"[\"{{.data}}\"]", "shape.json:1:2: placeholder '{{.data}}': empty segment in the path (two dots, or a dot at an end)"},
		{"[\"{{id.x}}\"]", "shape.json:1:2: placeholder '{{id.x}}': 'id' is a string and has no members"},
		{"[\"{{data.a~2}}\"]", "shape.json:1:2: placeholder '{{data.a~2}}': '~' must be followed by 0 (for '~') or 1 (for '.')"},
		{"[\"{{{data.a}}}\"]", "shape.json:1:2: placeholder '{{{data.a}}': '{' and '}' are not allowed in a path (write '{{{{' for a literal '{{')"},
		{"[\"{{Data.a}}\"]", "shape.json:1:2: placeholder '{{Data.a}}': unknown field 'Data'; a path starts with id, type, created, source or data"},
		{"{\"ok\": 1,\n \"{{data.key}}\": 2}", "shape.json:2:2: placeholder '{{data.key}}' in a member name; placeholders are allowed in string values only (write '{{{{' for a literal '{{')"},
		{"{\"z\\u00fc\\u00fc\": [1,\n \"\xC3\xBC\xC3\xBC {{x}}\"]}", "shape.json:2:2: placeholder '{{x}}': unknown field 'x'; a path starts with id, type, created, source or data"},
	};
	for (const auto& c : cases)
	{
		INFO(c.text);
		CHECK(parseError(c.text) == c.message);
	}
}


TEST_CASE("Templates may be nested 512 levels deep, not 513", "[payload]")
{
	auto nested = [](std::size_t depth)
	{
		return std::string(depth, '[') + "\"{{id}}\"" + std::string(depth, ']');
	};
	CHECK(PayloadTemplate::parse(nested(512), "deep.json").render(makeEvent("{}")) == std::string(512, '[') + "\"msg_tpl\"" + std::string(512, ']'));
	CHECK(parseError(nested(513)) == "shape.json:1:513: JSON nested deeper than 512 levels");
}


TEST_CASE("A template is emitted compactly with literal braces, typed and embedded values", "[payload]")
{
	const PayloadTemplate shape = PayloadTemplate::parse(
		"{ \"literal\" : \"{{{{data.a}} and {single} and }}\" ,\n"
		"  \"{{{{name}}\" : [ \"{{data.a}}\", \"{{ data.a }}\", \" {{data.a}}\", \"{{data.a}}{{data.a}}\" ] ,\n"
		"  \"unicode as written\" : \"\\u00fc\" , \"number\" : 1.50 ,\n"
		"  \"html\" : \"<a href=\\\"{{data.url}}\\\">{{data.name}}</a>\" }", "t.json");
	const std::string out = shape.render(makeEvent("{\"a\":{\"x\" : [1, \"y\"]},\"url\":\"https://x.example/?a=1&b=<2>\",\"name\":\"Tom & \\\"Jerry\\\"\"}"));
	CHECK(out ==
		"{\"literal\":\"{{data.a}} and {single} and }}\","
		"\"{{name}}\":[{\"x\":[1,\"y\"]},{\"x\":[1,\"y\"]},\" {\\\"x\\\":[1,\\\"y\\\"]}\",\"{\\\"x\\\":[1,\\\"y\\\"]}{\\\"x\\\":[1,\\\"y\\\"]}\"],"
		"\"unicode as written\":\"\\u00fc\",\"number\":1.50,"
		"\"html\":\"<a href=\\\"https://x.example/?a=1&b=<2>\\\">Tom & \\\"Jerry\\\"</a>\"}");
	CHECK(JsonScanner().validate(out));
}


TEST_CASE("The payload builder loads every template of hierarchy/ and stops at a bad one with file:line", "[payload]")
{
	SECTION("good templates are loaded; other files and hidden files are ignored")
	{
		TemplatesDir dir;
		dir.write("erp.json", "{\"n\": \"{{data.number}}\"}");
		dir.write("summary.v2.json", "[\"{{type}}\"]");
		dir.write("README.txt", "not a template {{");
		dir.write(".draft.json", "{broken");
		const PayloadBuilder builder(dir.path());
		CHECK(builder.templateNames() == std::vector<std::string>{"erp", "summary.v2"});
		CHECK(builder.hasHierarchy("template:erp"));
		CHECK(builder.hasHierarchy("template:summary.v2"));
		CHECK_FALSE(builder.hasHierarchy("template:README"));
		CHECK_FALSE(builder.hasHierarchy("template:.draft"));
		CHECK(builder.build(makeEvent("{\"number\":12345678901234567890123}"), "template:erp") == "{\"n\":12345678901234567890123}");
	}
	SECTION("a malformed template")
	{
		TemplatesDir dir;
		dir.write("good.json", "{}");
		dir.write("erp.json", "{\n  \"customer\": {\n    \"name\": \"{{data.customer.name}}\",\n  }\n}\n");
		const std::string message = dataFormatMessage([&] { PayloadBuilder builder(dir.path()); });
		CHECK(message == Poco::Path(dir.path() + "/hierarchy/erp.json").toString() + ":4:3: invalid JSON: expected a string member name");
	}
	SECTION("a bad placeholder")
	{
		TemplatesDir dir;
		dir.write("erp.json", "{\n  \"customer\": \"{{customer.name}}\"\n}\n");
		const std::string message = dataFormatMessage([&] { PayloadBuilder builder(dir.path()); });
		CHECK(message == Poco::Path(dir.path() + "/hierarchy/erp.json").toString()
			+ ":2:15: placeholder '{{customer.name}}': unknown field 'customer'; a path starts with id, type, created, source or data");
	}
	SECTION("a file name that is not a template name")
	{
		TemplatesDir dir;
		dir.write("my erp.json", "{}");
		const std::string message = dataFormatMessage([&] { PayloadBuilder builder(dir.path()); });
		CHECK(message == Poco::Path(dir.path() + "/hierarchy/my erp.json").toString()
			+ ":1:1: 'my erp' is not a valid template name (letters, digits, '_', '-' and '.', at most 64 characters)");
	}
	SECTION("no hierarchy folder, or no folder at all, means no templates")
	{
		TemplatesDir dir;
		Poco::File(dir.path() + "/hierarchy").remove(true);
		CHECK(PayloadBuilder(dir.path()).templateNames().empty());
		CHECK(PayloadBuilder(dir.path() + "/missing").templateNames().empty());
		CHECK(PayloadBuilder("").templateNames().empty());
	}
}


TEST_CASE("The shipped templates build an ERP record and a booking summary", "[payload]")
{
	const PayloadBuilder builder(std::string(HOOKGATE_SOURCE_DIR) + "/templates");
	const std::string data =
		"{\"appointment\":{\"number\":\"B-4711\",\"uuid\":\"u-1\",\"start\":\"2026-12-03T09:30:00Z\",\"end\":\"2026-12-03T10:15:00Z\","
		"\"service\":{\"name\":\"Beratung\"},\"price\":{\"amount\":180.00,\"currency\":\"CHF\"}},"
		"\"customer\":{\"name\":\"Erika \\\"E.\\\" Muster\",\"email\":\"erika@example.com\"}}";
	CHECK(builder.build(makeEvent(data), "template:booking-summary") ==
		"{\"event\":\"appointment.booking.created\",\"booking\":\"B-4711\","
		"\"summary\":\"Erika \\\"E.\\\" Muster booked Beratung from 2026-12-03T09:30:00Z to 2026-12-03T10:15:00Z\","
		"\"email\":\"erika@example.com\",\"start\":\"2026-12-03T09:30:00Z\"}");
	const std::string erp = builder.build(makeEvent(data), "template:erp-import");
	CHECK(erp.find("\"bookingNumber\":\"B-4711\"") != std::string::npos);
	CHECK(erp.find("\"customer\":{\"name\":\"Erika \\\"E.\\\" Muster\",\"email\":\"erika@example.com\",\"phone\":null}") != std::string::npos);
	CHECK(erp.find("\"price\":{\"amount\":180.00,\"currency\":\"CHF\"}") != std::string::npos);
	CHECK(erp.find("\"reference\":\"hookgate:msg_tpl\"") != std::string::npos);
	CHECK(JsonScanner().validate(erp));
}

#include "gateway/payload/JsonScanner.h"
#include "gateway/payload/PayloadBuilder.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Hookgate::EventEnvelope;
using Hookgate::JsonMember;
using Hookgate::JsonScanner;
using Hookgate::PayloadBuilder;

namespace {

EventEnvelope makeEvent(const std::string& dataRaw)
{
	EventEnvelope event;
	event.id = "msg_2fQx8V1kZr7Lp0aBcDeF";
	event.type = "appointment.booking.created";
	event.created = "2026-11-27T16:05:09Z";
	event.source = "https://booking.example.com";
	event.dataRaw = dataRaw;
	return event;
}

/// The message of the Poco::InvalidArgumentException thrown by `f`, or "no exception".
template <typename F>
std::string invalidArgumentMessage(F f)
{
	try
	{
		f();
	}
	catch (const Poco::InvalidArgumentException& e)
	{
		return e.message();
	}
	return "no exception";
}

} // namespace


TEST_CASE("The nested payload is the compact envelope with data copied byte for byte", "[payload]")
{
	// Keys not in alphabetical order, unicode as UTF-8 and as escapes, escaped quotes and
	// newlines, big and decimal numbers, nulls, empty containers, whitespace inside data.
	const std::string data =
		"{\"zulu\":1,\"alpha\":{\"name\":\"Z\xC3\xBCrich \\u00e9 \xF0\x9F\x98\x80 \\ud83d\\ude00\","
		"\"quote\":\"say \\\"hi\\\"\",\"lines\":\"one\\ntwo\\r\\n\\ttab\"},"
		"\"big\":12345678901234567890123,\"neg\":-98765432109876543210,\"dec\":0.1,\"exp\":1e400,\"tiny\":5E-324,"
		"\"none\":null,\"emptyObject\":{},\"emptyArray\":[],\"list\":[ 3 , 2 , 1 ],\"flag\":false,\"middle\":true}";
	const PayloadBuilder builder;
	const std::string payload = builder.build(makeEvent(data), "nested");

	const std::string expected =
		"{\"id\":\"msg_2fQx8V1kZr7Lp0aBcDeF\",\"type\":\"appointment.booking.created\","
		"\"created\":\"2026-11-27T16:05:09Z\",\"source\":\"https://booking.example.com\",\"data\":"
		"{\"zulu\":1,\"alpha\":{\"name\":\"Z\xC3\xBCrich \\u00e9 \xF0\x9F\x98\x80 \\ud83d\\ude00\","
		"\"quote\":\"say \\\"hi\\\"\",\"lines\":\"one\\ntwo\\r\\n\\ttab\"},"
		"\"big\":12345678901234567890123,\"neg\":-98765432109876543210,\"dec\":0.1,\"exp\":1e400,\"tiny\":5E-324,"
		"\"none\":null,\"emptyObject\":{},\"emptyArray\":[],\"list\":[ 3 , 2 , 1 ],\"flag\":false,\"middle\":true}}";
	CHECK(payload == expected);
	CHECK(PayloadBuilder::buildNested(makeEvent(data)) == expected);

	// Our own scanner accepts it and finds the envelope, with data as the very same bytes.
	JsonScanner scanner;
	std::vector<JsonMember> members;
	char topKind = 0;
	REQUIRE(scanner.scan(payload, members, topKind));
	CHECK(topKind == 'o');
	REQUIRE(members.size() == 5);
	const std::vector<std::string> names = {"id", "type", "created", "source", "data"};
	for (std::size_t i = 0; i < names.size(); ++i) CHECK(members[i].name == names[i]);
	CHECK(JsonScanner::decodeString(payload.substr(members[0].offset, members[0].length)) == "msg_2fQx8V1kZr7Lp0aBcDeF");
	CHECK(members[4].kind == 'o');
	CHECK(payload.substr(members[4].offset, members[4].length) == data);
}


TEST_CASE("The nested payload parses with Poco::JSON::Parser and its envelope fields match", "[payload]")
{
	// Poco::JSON::Parser (1.11) refuses integers beyond 64 bits and 1e400, which are valid
	// JSON; those are covered byte for byte above. Everything else is checked here by a
	// second, independent parser.
	const std::string data =
		"{\"zulu\":{\"name\":\"Z\xC3\xBCrich \\ud83d\\ude00\",\"quote\":\"say \\\"hi\\\"\\n\"},"
		"\"dec\":0.1,\"int\":9007199254740993,\"none\":null,\"emptyObject\":{},\"emptyArray\":[],\"alpha\":[1,\"two\",false]}";
	EventEnvelope event = makeEvent(data);
	event.source = "booking \"prod\"\n\\ Z\xC3\xBCrich";
	const std::string payload = PayloadBuilder().build(event, "nested");

	Poco::JSON::Parser parser;
	const Poco::Dynamic::Var parsed = parser.parse(payload);
	const Poco::JSON::Object::Ptr root = parsed.extract<Poco::JSON::Object::Ptr>();
	REQUIRE(root);
	CHECK(root->size() == 5);
	CHECK(root->getValue<std::string>("id") == event.id);
	CHECK(root->getValue<std::string>("type") == event.type);
	CHECK(root->getValue<std::string>("created") == event.created);
	CHECK(root->getValue<std::string>("source") == event.source);

	const Poco::JSON::Object::Ptr d = root->getObject("data");
	REQUIRE(d);
	CHECK(d->size() == 7);
	const Poco::JSON::Object::Ptr zulu = d->getObject("zulu");
	REQUIRE(zulu);
	CHECK(zulu->getValue<std::string>("name") == "Z\xC3\xBCrich \xF0\x9F\x98\x80");
	CHECK(zulu->getValue<std::string>("quote") == "say \"hi\"\n");
	CHECK(d->getValue<double>("dec") == 0.1);
	CHECK(d->getValue<Poco::Int64>("int") == 9007199254740993LL);
	CHECK(d->isNull("none"));
	REQUIRE(d->getObject("emptyObject"));
	CHECK(d->getObject("emptyObject")->size() == 0);
	REQUIRE(d->getArray("emptyArray"));
	CHECK(d->getArray("emptyArray")->size() == 0);
	const Poco::JSON::Array::Ptr alpha = d->getArray("alpha");
	REQUIRE(alpha);
	CHECK(alpha->size() == 3);
	CHECK(alpha->getElement<int>(0) == 1);
	CHECK(alpha->getElement<std::string>(1) == "two");

	// The envelope strings were escaped, the data was not touched.
	CHECK(payload.find("\"source\":\"booking \\\"prod\\\"\\n\\\\ Z\xC3\xBCrich\"") != std::string::npos);
	CHECK(payload.substr(payload.size() - data.size() - 1) == data + "}");
}


TEST_CASE("The data span of a scanned ingest body reaches the payload unchanged", "[payload]")
{
	const std::string body =
		"{\n  \"type\": \"customer.created\",\n  \"data\" :  { \"b\" : 2,\n \"a\":[1.50, -0e0], \"\\u00fc\": \"\\/\" }  \n}";
	JsonScanner scanner;
	std::vector<JsonMember> members;
	char topKind = 0;
	REQUIRE(scanner.scan(body, members, topKind));
	REQUIRE(members.size() == 2);
	REQUIRE(members[1].name == "data");
	REQUIRE(members[1].kind == 'o');

	EventEnvelope event = makeEvent(body.substr(members[1].offset, members[1].length));
	event.type = JsonScanner::decodeString(body.substr(members[0].offset, members[0].length));
	const std::string payload = PayloadBuilder().build(event, PayloadBuilder::NESTED);
	CHECK(payload ==
		"{\"id\":\"msg_2fQx8V1kZr7Lp0aBcDeF\",\"type\":\"customer.created\",\"created\":\"2026-11-27T16:05:09Z\","
		"\"source\":\"https://booking.example.com\",\"data\":{ \"b\" : 2,\n \"a\":[1.50, -0e0], \"\\u00fc\": \"\\/\" }}");
	CHECK(scanner.validate(payload));
}


TEST_CASE("An empty data object gives an empty data member", "[payload]")
{
	CHECK(PayloadBuilder().build(makeEvent("{}"), "nested") ==
		"{\"id\":\"msg_2fQx8V1kZr7Lp0aBcDeF\",\"type\":\"appointment.booking.created\","
		"\"created\":\"2026-11-27T16:05:09Z\",\"source\":\"https://booking.example.com\",\"data\":{}}");
}


TEST_CASE("Nested and flat are built in, templates need a loaded file, and others are refused by name", "[payload]")
{
	CHECK(PayloadBuilder::isKnownHierarchy("nested"));
	CHECK(PayloadBuilder::isKnownHierarchy("flat"));
	CHECK_FALSE(PayloadBuilder::isKnownHierarchy("template:erp"));
	CHECK_FALSE(PayloadBuilder::isKnownHierarchy("Nested"));
	CHECK_FALSE(PayloadBuilder::isKnownHierarchy(""));

	const PayloadBuilder builder;
	CHECK(builder.hasHierarchy("nested"));
	CHECK(builder.hasHierarchy("flat"));
	CHECK_FALSE(builder.hasHierarchy("template:erp-import"));
	CHECK_FALSE(builder.hasHierarchy("template:"));
	CHECK(builder.templateNames().empty());

	const EventEnvelope event = makeEvent("{\"a\":1}");
	CHECK(invalidArgumentMessage([&] { builder.build(event, "Flat"); }) == "unknown payload hierarchy 'Flat' (known: nested, flat)");
	CHECK(invalidArgumentMessage([&] { builder.build(event, "template:erp"); }) == "unknown payload hierarchy 'template:erp' (known: nested, flat)");
	CHECK(invalidArgumentMessage([&] { builder.build(event, ""); }) == "unknown payload hierarchy '' (known: nested, flat)");
	CHECK_THROWS_AS(builder.build(event, " nested"), Poco::InvalidArgumentException);

	const PayloadBuilder shipped(std::string(HOOKGATE_SOURCE_DIR) + "/templates");
	CHECK(shipped.hasHierarchy("template:erp-import"));
	CHECK(shipped.hasHierarchy("template:booking-summary"));
	CHECK_FALSE(shipped.hasHierarchy("template:erp"));
	CHECK_FALSE(shipped.hasHierarchy("erp-import"));
	CHECK(invalidArgumentMessage([&] { shipped.build(event, "template:erp"); })
		== "unknown payload hierarchy 'template:erp' (known: nested, flat, template:booking-summary, template:erp-import)");
}


TEST_CASE("Data that is not the span of an object is refused", "[payload]")
{
	const PayloadBuilder builder;
	const std::string message = "event data must be the raw text of a JSON object, without surrounding whitespace";
	for (const std::string& data : {std::string(""), std::string("[]"), std::string("null"), std::string(" {}"), std::string("{} "), std::string("{")})
	{
		INFO(data);
		CHECK(invalidArgumentMessage([&] { builder.build(makeEvent(data), "nested"); }) == message);
		CHECK(invalidArgumentMessage([&] { builder.build(makeEvent(data), "flat"); }) == message);
	}
}


TEST_CASE("Envelope fields that are not valid UTF-8 are refused rather than producing invalid JSON", "[payload]")
{
	EventEnvelope event = makeEvent("{}");
	event.source = "bad \xC0\xAF source";
	CHECK_THROWS_AS(PayloadBuilder().build(event, "nested"), Poco::DataFormatException);
}

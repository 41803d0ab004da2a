#include "gateway/payload/FlatPayload.h"
#include "gateway/payload/JsonScanner.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/payload/PayloadTemplate.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

using Hookgate::EventEnvelope;
using Hookgate::FlatPayload;
using Hookgate::JsonMember;
using Hookgate::JsonScanner;
using Hookgate::PayloadBuilder;
using Hookgate::PayloadTemplate;

namespace {

EventEnvelope makeEvent(const std::string& dataRaw)
{
	EventEnvelope event;
	event.id = "msg_flat";
	event.type = "customer.created";
	event.created = "2026-11-27T16:05:09Z";
	event.source = "hookgate";
	event.dataRaw = dataRaw;
	return event;
}

std::vector<JsonMember> topMembers(const std::string& payload)
{
	JsonScanner scanner;
	std::vector<JsonMember> members;
	char kind = 0;
	REQUIRE(scanner.scan(payload, members, kind));
	REQUIRE(kind == 'o');
	return members;
}

/// A receiver's reading of a flat key, as documented in FlatPayload.h: the data path's
/// segments, or {"<envelope>", key} for an envelope key.
std::vector<std::string> decodeFlatKey(const std::string& key)
{
	if (key == "id" || key == "type" || key == "created" || key == "source") return {"<envelope>", key};
	std::string path = key.compare(0, 5, "data.") == 0 ? key.substr(5) : key;
	std::vector<std::string> segments;
	std::string segment;
	for (std::size_t i = 0; i <= path.size(); ++i)
	{
		if (i == path.size() || path[i] == '.')
		{
			segments.push_back(segment);
			segment.clear();
		}
		else if (path[i] == '~')
		{
			segment += path[i + 1] == '1' ? '.' : '~';
			++i;
		}
		else
		{
			segment += path[i];
		}
	}
	return segments;
}

std::string deeplyNested(std::size_t depth)
{
	std::string s;
	for (std::size_t i = 0; i < depth; ++i) s += (i % 2 == 0) ? "{\"k\":" : "[";
	s += "\"bottom\"";
	for (std::size_t i = depth; i-- > 0;) s += (i % 2 == 0) ? "}" : "]";
	return s;
}

} // namespace


TEST_CASE("Flat keys read back to distinct paths, so no two leaves share a key", "[payload]")
{
	// Names with dots and tildes, names equal to envelope keys, a "data" member, empty names,
	// an object key "0" beside an array index 0, escapes in names.
	const std::string data =
		"{\"a.b\":1,\"a\":{\"b\":2,\"b.c\":3,\"b~c\":4},\"a~1b\":5,\"~\":6,\"id\":7,\"type\":{},\"source\":{\"id\":8},"
		"\"data\":{\"id\":9},\"data.id\":10,\"\":11,\"x\":{\"\":12,\"0\":13,\"arr\":[14,[15]]},\"\\u0061\\u002eb\":16,"
		"\"created\":[],\"ids\":[17]}";
	const std::string payload = FlatPayload::build(makeEvent(data));
	const std::vector<JsonMember> members = topMembers(payload);

	const std::vector<std::vector<std::string>> expected = {
		{"<envelope>", "id"}, {"<envelope>", "type"}, {"<envelope>", "created"}, {"<envelope>", "source"},
		{"a.b"}, {"a", "b"}, {"a", "b.c"}, {"a", "b~c"}, {"a~1b"}, {"~"}, {"id"}, {"type"}, {"source", "id"},
		{"data", "id"}, {"data.id"}, {""}, {"x", ""}, {"x", "0"}, {"x", "arr", "0"}, {"x", "arr", "1", "0"}, {"a.b"},
		{"created"}, {"ids", "0"}};
	REQUIRE(members.size() == expected.size());
	std::set<std::string> keys;
	for (std::size_t i = 0; i < members.size(); ++i)
	{
		INFO("flat key " << members[i].name);
		CHECK(decodeFlatKey(members[i].name) == expected[i]);
		keys.insert(members[i].name);
	}
	// "a.b" twice in the data (once written with escapes): the same member name twice, as
	// in the nested payload; every other key is unique.
	CHECK(keys.size() == members.size() - 1);
	CHECK(payload.find(",\"a~1b\":1,\"a.b\":2,\"a.b~1c\":3,\"a.b~0c\":4,\"a~01b\":5,\"~0\":6,\"data.id\":7,\"data.type\":{},\"source.id\":8,"
		"\"data.data.id\":9,\"data~1id\":10,\"\":11,\"x.\":12,\"x.0\":13,\"x.arr.0\":14,\"x.arr.1.0\":15,\"a~1b\":16,"
		"\"data.created\":[],\"ids.0\":17}") != std::string::npos);
}


TEST_CASE("The flat payload parses with Poco::JSON::Parser and keeps every value", "[payload]")
{
	const std::string data =
		"{\"customer\":{\"name\":\"Z\\u00fcrich \\\"Erika\\\"\\n\",\"email\":\"erika@example.com\",\"age\":42},"
		"\"price\":0.1,\"tags\":[\"vip\",null,true],\"empty\":{},\"none\":[]}";
	const std::string payload = PayloadBuilder().build(makeEvent(data), "flat");
	Poco::JSON::Parser parser;
	const Poco::JSON::Object::Ptr root = parser.parse(payload).extract<Poco::JSON::Object::Ptr>();
	REQUIRE(root);
	CHECK(root->size() == 4 + 9);
	CHECK(root->getValue<std::string>("id") == "msg_flat");
	CHECK(root->getValue<std::string>("customer.name") == "Z\xC3\xBCrich \"Erika\"\n");
	CHECK(root->getValue<std::string>("customer.email") == "erika@example.com");
	CHECK(root->getValue<int>("customer.age") == 42);
	CHECK(root->getValue<double>("price") == 0.1);
	CHECK(root->getValue<std::string>("tags.0") == "vip");
	CHECK(root->isNull("tags.1"));
	CHECK(root->getValue<bool>("tags.2"));
	REQUIRE(root->getObject("empty"));
	CHECK(root->getObject("empty")->size() == 0);
	REQUIRE(root->getArray("none"));
	CHECK(root->getArray("none")->size() == 0);
}


TEST_CASE("Flat and template payloads of 100,000 nested levels are built without recursion", "[payload]")
{
	// Ingest refuses more than 512 levels; the builder itself has no limit and no recursion
	// (a recursive walk would overflow the stack here, under the sanitizers all the more).
	const std::string data = deeplyNested(100000);
	const std::string flat = FlatPayload::build(makeEvent(data));
	std::string key = "k";
	for (std::size_t i = 1; i < 100000; ++i) key += (i % 2 == 0) ? ".k" : ".0";
	CHECK(flat == "{\"id\":\"msg_flat\",\"type\":\"customer.created\",\"created\":\"2026-11-27T16:05:09Z\",\"source\":\"hookgate\",\""
		+ key + "\":\"bottom\"}");
	CHECK(JsonScanner(200000).validate(flat));

	const PayloadTemplate shape = PayloadTemplate::parse(
		"{\"third\":\"{{data.k.0.k}}\",\"all\":\"{{data}}\",\"text\":\"<{{data}}>\"}", "deep.json");
	const std::string payload = shape.render(makeEvent(data));
	std::string escaped;
	for (char c : data)
	{
		if (c == '"') escaped += '\\';
		escaped += c;
	}
	CHECK(payload == "{\"third\":" + data.substr(11, data.size() - 14) + ",\"all\":" + data + ",\"text\":\"<" + escaped + ">\"}");
}


TEST_CASE("A flat payload of a 1 MB object keeps all of its 40,000 leaves in order", "[payload]")
{
	std::string data = "{";
	for (int i = 0; i < 40000; ++i)
	{
		if (i) data += ',';
		data += "\"item" + std::to_string(i) + "\":{\"n\":" + std::to_string(i) + ",\"s\":\"value number " + std::to_string(i) + "\"}";
	}
	data += '}';
	REQUIRE(data.size() > 1000000);
	const std::string payload = FlatPayload::build(makeEvent(data));
	const std::vector<JsonMember> members = topMembers(payload);
	REQUIRE(members.size() == 4 + 80000);
	CHECK(members[4].name == "item0.n");
	CHECK(members[5].name == "item0.s");
	CHECK(members.back().name == "item39999.s");
	CHECK(payload.substr(members.back().offset, members.back().length) == "\"value number 39999\"");
}


TEST_CASE("Flat refuses data that is not a valid JSON object span", "[payload]")
{
	CHECK_THROWS_AS(FlatPayload::build(makeEvent("{\"a\":}")), Poco::InvalidArgumentException);
	CHECK_THROWS_AS(FlatPayload::build(makeEvent("{\"a\":1} ")), Poco::InvalidArgumentException);
	EventEnvelope bad = makeEvent("{}");
	bad.type = "bad \xC0\xAF type";
	CHECK_THROWS_AS(FlatPayload::build(bad), Poco::DataFormatException);
}

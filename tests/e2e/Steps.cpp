#include "Steps.h"

#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>

#include <cstdio>
#include <regex>

namespace Hookgate {
namespace Test {
namespace Steps {

void createAccount(const ApiClient& api, const std::string& id, const std::string& plan)
{
	const ApiResponse response = api.post("/api/v1/accounts",
		"{\"id\":" + jsonString(id) + ",\"name\":\"Account " + id + "\",\"plan\":" + jsonString(plan) + ",\"webhooksEnabled\":true}");
	INFO("POST /api/v1/accounts -> " << response.describe());
	REQUIRE(response.status == 201);
	REQUIRE(response.json);
	REQUIRE(stringOf(response.json, "id") == id);
}

Endpoint createEndpoint(const ApiClient& api, const std::string& account, const std::string& url,
	const std::vector<std::string>& eventTypes, const std::string& extraFields)
{
	std::string types;
	for (const auto& type: eventTypes) types += (types.empty() ? "" : ",") + jsonString(type);
	std::string body = "{\"url\":" + jsonString(url) + ",\"eventTypes\":[" + types + "]";
	if (!extraFields.empty()) body += "," + extraFields;
	body += "}";
	const std::string path = "/api/v1/accounts/" + account + "/endpoints";
	const ApiResponse response = api.post(path, body);
	INFO("POST " << path << " " << body << " -> " << response.describe());
	REQUIRE(response.status == 201);
	REQUIRE(response.json);
	Endpoint endpoint;
	endpoint.id = stringOf(response.json, "id");
	endpoint.secret = stringOf(response.json, "secret");
	endpoint.json = response.json;
	REQUIRE(endpoint.id.rfind("ep_", 0) == 0);
	REQUIRE(endpoint.secret.rfind("whsec_", 0) == 0);
	return endpoint;
}

Event postEvent(const ApiClient& api, const std::string& account, const std::string& body)
{
	const std::string path = "/api/v1/accounts/" + account + "/events";
	Event event;
	event.response = api.post(path, body);
	event.status = event.response.status;
	INFO("POST " << path << " " << body << " -> " << event.response.describe());
	REQUIRE((event.status == 202 || event.status == 200));
	REQUIRE(event.response.json);
	event.id = stringOf(event.response.json, "id");
	REQUIRE(event.id.rfind("msg_", 0) == 0);
	Poco::JSON::Array::Ptr deliveries = event.response.json->getArray("deliveries");
	REQUIRE(deliveries);
	for (std::size_t i = 0; i < deliveries->size(); ++i)
	{
		Poco::JSON::Object::Ptr delivery = deliveries->getObject(static_cast<unsigned>(i));
		REQUIRE(delivery);
		event.deliveryIds.push_back(stringOf(delivery, "id"));
		event.endpointIds.push_back(stringOf(delivery, "endpointId"));
		REQUIRE(event.deliveryIds.back().rfind("dlv_", 0) == 0);
	}
	return event;
}

Event postEvent(const ApiClient& api, const std::string& account, const std::string& type,
	const std::string& dataJson, const std::string& idempotencyKey)
{
	std::string body = "{\"type\":" + jsonString(type);
	if (!idempotencyKey.empty()) body += ",\"id\":" + jsonString(idempotencyKey);
	body += ",\"data\":" + dataJson + "}";
	return postEvent(api, account, body);
}

Poco::JSON::Object::Ptr getDelivery(const ApiClient& api, const std::string& account, const std::string& delivery)
{
	const ApiResponse response = api.get("/api/v1/accounts/" + account + "/deliveries/" + delivery);
	if (response.status != 200) return Poco::JSON::Object::Ptr();
	return response.json;
}

Poco::JSON::Object::Ptr waitForDeliveryStatus(const ApiClient& api, const std::string& account,
	const std::string& delivery, const std::string& status, const Poco::Timespan& deadline)
{
	Poco::JSON::Object::Ptr last;
	waitUntil([&]
	{
		Poco::JSON::Object::Ptr current = getDelivery(api, account, delivery);
		if (current) last = current;
		return current && stringOf(current, "status") == status;
	}, deadline, Poco::Timespan(0, 50000));
	return last;
}

std::string jsonString(const std::string& text)
{
	std::string out = "\"";
	for (const char c: text)
	{
		switch (c)
		{
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (static_cast<unsigned char>(c) < 0x20)
			{
				char buffer[8];
				std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
				out += buffer;
			}
			else
			{
				out += c;
			}
		}
	}
	return out + "\"";
}

bool isIsoUtc(const std::string& text)
{
	static const std::regex pattern(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$)");
	return std::regex_match(text, pattern);
}

Poco::Timestamp parseIsoUtc(const std::string& text)
{
	int timeZoneDifferential = 0;
	return Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, timeZoneDifferential).timestamp();
}

std::string stringOf(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	if (!object || !object->has(key) || object->isNull(key)) return std::string();
	const Poco::Dynamic::Var value = object->get(key);
	if (!value.isString()) return std::string();
	return value.extract<std::string>();
}

Poco::Int64 intOf(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	if (!object || !object->has(key) || object->isNull(key)) return -1;
	const Poco::Dynamic::Var value = object->get(key);
	if (!value.isInteger()) return -1;
	return value.convert<Poco::Int64>();
}

bool isFalse(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	if (!object || !object->has(key) || object->isNull(key)) return false;
	const Poco::Dynamic::Var value = object->get(key);
	return value.type() == typeid(bool) && !value.extract<bool>();
}

bool hasNull(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	return object && object->has(key) && object->isNull(key);
}

} // namespace Steps
} } // namespace Hookgate::Test

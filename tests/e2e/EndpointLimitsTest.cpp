// An endpoint's delivery limits through the API: maxInFlight (attempts in flight to it at
// most, null: hookgate.delivery.maxInFlight) and rateLimit (attempts started per second at
// most, null: none). Declared endpoints: DeclaredAccountsTest.cpp.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <string>
#include <vector>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);
const std::string ENDPOINTS = "/api/v1/accounts/acme/endpoints";

/// One member as the test compares it: its integer, "null", or "missing" (or "other: <json>").
std::string member(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	if (!object || !object->has(key)) return "missing";
	const Poco::Dynamic::Var value = object->get(key);
	if (value.isEmpty()) return "null";
	if (value.isInteger() && !value.isBoolean()) return value.toString();
	return "other: " + Poco::Dynamic::Var::toString(value);
}

/// A gateway with the account acme (professional: 3 endpoints) and a receiver for its endpoints.
struct AcmeGateway
{
	Receiver receiver;
	GatewayProcess gateway;
	ApiClient api{0, GatewayProcess::ADMIN_TOKEN};

	AcmeGateway()
	{
		receiver.start();
		gateway.start();
		api.setPort(gateway.port());
		Steps::createAccount(api, "acme", "professional");
	}
};

/// "maxInFlight=<member> rateLimit=<member>" of an endpoint object.
std::string limits(const Poco::JSON::Object::Ptr& endpoint)
{
	return "maxInFlight=" + member(endpoint, "maxInFlight") + " rateLimit=" + member(endpoint, "rateLimit");
}

/// PATCH .../endpoints/<id> with the body; requires 200 and returns the answer's endpoint.
Poco::JSON::Object::Ptr patchEndpoint(const ApiClient& api, const std::string& id, const std::string& body)
{
	const ApiResponse response = api.patch(ENDPOINTS + "/" + id, body);
	INFO("PATCH " << id << " " << body << " -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	return response.json;
}

/// The endpoint with this id in GET .../endpoints, null when it is not listed.
Poco::JSON::Object::Ptr listed(const ApiClient& api, const std::string& id)
{
	const ApiResponse response = api.get(ENDPOINTS);
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	Poco::JSON::Array::Ptr items = response.json->getArray("items");
	REQUIRE(items);
	for (std::size_t i = 0; i < items->size(); ++i)
	{
		Poco::JSON::Object::Ptr item = items->getObject(static_cast<unsigned>(i));
		if (Steps::stringOf(item, "id") == id) return item;
	}
	return nullptr;
}

/// The limits as the answer of the last change, GET of the endpoint and the list all show them.
void checkLimits(const ApiClient& api, const std::string& id, const Poco::JSON::Object::Ptr& answer, const std::string& expected)
{
	CHECK(limits(answer) == expected);
	CHECK(limits(AccountSteps::getEndpoint(api, "acme", id)) == expected);
	CHECK(limits(listed(api, id)) == expected);
}

} // namespace

TEST_CASE("An endpoint's maxInFlight and rateLimit are created, read back, changed, cleared with null and kept by a patch without them", "[e2e]")
{
	AcmeGateway acme;
	Receiver& receiver = acme.receiver;
	ApiClient& api = acme.api;

	// Created with both.
	const Steps::Endpoint limited = Steps::createEndpoint(api, "acme", receiver.url("/limited"), {"customer.created"},
		R"("maxInFlight":4,"rateLimit":25)");
	checkLimits(api, limited.id, limited.json, "maxInFlight=4 rateLimit=25");

	// Created without them, and with them null: both null (the default, no limit).
	const Steps::Endpoint plain = Steps::createEndpoint(api, "acme", receiver.url("/plain"), {"customer.created"});
	checkLimits(api, plain.id, plain.json, "maxInFlight=null rateLimit=null");
	const Steps::Endpoint nulls = Steps::createEndpoint(api, "acme", receiver.url("/nulls"), {"customer.created"},
		R"("maxInFlight":null,"rateLimit":null)");
	checkLimits(api, nulls.id, nulls.json, "maxInFlight=null rateLimit=null");

	// Changed, one at a time and both; the bounds are accepted.
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, R"({"maxInFlight":1})"), "maxInFlight=1 rateLimit=25");
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, R"({"rateLimit":10000})"), "maxInFlight=1 rateLimit=10000");
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, R"({"maxInFlight":1024,"rateLimit":1})"), "maxInFlight=1024 rateLimit=1");
	checkLimits(api, plain.id, patchEndpoint(api, plain.id, R"({"maxInFlight":2,"rateLimit":50})"), "maxInFlight=2 rateLimit=50");

	// A patch of other fields leaves them alone.
	const Poco::JSON::Object::Ptr other = patchEndpoint(api, limited.id,
		"{\"description\":\"ERP\",\"enabled\":false,\"eventTypes\":[\"customer.*\"],\"url\":" + Steps::jsonString(receiver.url("/moved")) + "}");
	CHECK(Steps::stringOf(other, "description") == "ERP");
	checkLimits(api, limited.id, other, "maxInFlight=1024 rateLimit=1");
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, R"({"enabled":true})"), "maxInFlight=1024 rateLimit=1");
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, "{}"), "maxInFlight=1024 rateLimit=1");

	// Cleared with null, one at a time: the other stays.
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, R"({"maxInFlight":null})"), "maxInFlight=null rateLimit=1");
	checkLimits(api, limited.id, patchEndpoint(api, limited.id, R"({"rateLimit":null})"), "maxInFlight=null rateLimit=null");
	checkLimits(api, plain.id, patchEndpoint(api, plain.id, R"({"maxInFlight":null,"rateLimit":null})"), "maxInFlight=null rateLimit=null");

	// Set again, they survive a restart (they are stored, not kept in memory).
	patchEndpoint(api, limited.id, R"({"maxInFlight":3,"rateLimit":7})");
	acme.gateway.restart();
	api.setPort(acme.gateway.port());
	checkLimits(api, limited.id, AccountSteps::getEndpoint(api, "acme", limited.id), "maxInFlight=3 rateLimit=7");
	checkLimits(api, plain.id, AccountSteps::getEndpoint(api, "acme", plain.id), "maxInFlight=null rateLimit=null");

	// And a limited endpoint still receives its events.
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"customer":1})");
	REQUIRE(event.deliveryIds.size() == 3);
	REQUIRE(receiver.waitForCount(3, DEADLINE));
	for (const auto& delivery: event.deliveryIds)
		CHECK(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", delivery, "succeeded"), "status") == "succeeded");
}

TEST_CASE("Every invalid maxInFlight and rateLimit is refused with 422 naming the field and changes nothing", "[e2e]")
{
	AcmeGateway acme;
	const ApiClient& api = acme.api;
	const Steps::Endpoint existing = Steps::createEndpoint(api, "acme", acme.receiver.url("/hook"), {"customer.created"},
		R"("maxInFlight":4,"rateLimit":25)");
	const std::string before = ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", existing.id));

	struct Field
	{
		std::string name;
		std::string tooLarge;
		std::string range;  ///< what the message says of the range
	};
	const std::vector<Field> fields = {{"maxInFlight", "1025", "from 1 to 1024"}, {"rateLimit", "10001", "from 1 to 10000"}};
	for (const Field& field: fields)
	{
		const std::vector<std::string> values = {"0", "-1", "-1024", "1.5", "0.5", R"("8")", R"("")", "true", "false",
			field.tooLarge, "4294967296", "18446744073709551615", "[8]", R"({"value":8})"};
		for (const std::string& value: values)
		{
			const std::string member = "\"" + field.name + "\":" + value;
			const std::string create = AccountSteps::endpointBody(acme.receiver.url("/new"), {"customer.created"}, member);
			checkApiError("create with " + member, api.post(ENDPOINTS, create), 422, "validation_failed",
				{field.name + ": expected an integer " + field.range});
			checkApiError("update with " + member, api.patch(ENDPOINTS + "/" + existing.id, "{" + member + "}"), 422,
				"validation_failed", {field.name + ": expected an integer " + field.range});
			// Together with a valid change of another field: the whole update is refused.
			checkApiError("update with a description and " + member,
				api.patch(ENDPOINTS + "/" + existing.id, R"({"description":"changed",)" + member + "}"), 422, "validation_failed",
				{field.name});
		}
	}
	// The whole message, once per field.
	const ApiResponse zero = api.patch(ENDPOINTS + "/" + existing.id, R"({"maxInFlight":0})");
	REQUIRE(zero.json);
	CHECK(Steps::stringOf(zero.json->getObject("error"), "message")
		== "maxInFlight: expected an integer from 1 to 1024, or null for the default (hookgate.delivery.maxInFlight); got 0");
	const ApiResponse text = api.patch(ENDPOINTS + "/" + existing.id, R"({"rateLimit":"ten"})");
	REQUIRE(text.json);
	CHECK(Steps::stringOf(text.json->getObject("error"), "message") == "rateLimit: expected an integer from 1 to 10000, or null for no limit; got 'ten'");

	// Nothing was created or changed.
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{existing.id});
	CHECK(ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", existing.id)) == before);
}

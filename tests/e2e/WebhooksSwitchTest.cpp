// Issue 5: the account's webhooksEnabled switch.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

Poco::Int64 deliveriesOfEndpoint(const ApiClient& api, const std::string& account, const std::string& endpoint)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint + "/deliveries";
	const ApiResponse response = api.get(path);
	INFO("GET " << path << " -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	REQUIRE(response.json->getArray("items"));
	return static_cast<Poco::Int64>(response.json->getArray("items")->size());
}

bool isTrue(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	if (!object || !object->has(key) || object->isNull(key)) return false;
	const Poco::Dynamic::Var value = object->get(key);
	return value.type() == typeid(bool) && value.extract<bool>();
}

} // namespace

TEST_CASE("Webhooks are off for a new account: events are accepted without deliveries until they are switched on", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	// Two accounts created without webhooksEnabled: one is switched on by the admin,
	// the other with its own account token.
	for (const std::string account: {"by-admin", "by-token"})
	{
		const ApiResponse created = api.post("/api/v1/accounts",
			"{\"id\":\"" + account + "\",\"name\":\"Account " + account + "\",\"plan\":\"professional\"}");
		INFO("create " << account << " without webhooksEnabled -> " << created.describe());
		REQUIRE(created.status == 201);
		CHECK(Steps::isFalse(created.json, "webhooksEnabled"));
		CHECK(Steps::isFalse(AccountSteps::getAccount(api, account), "webhooksEnabled"));
	}
	// Endpoints can be created while the webhooks are off.
	const Steps::Endpoint adminEndpoint = Steps::createEndpoint(api, "by-admin", receiver.url("/by-admin"), {"appointment.booking.created"});
	const Steps::Endpoint tokenEndpoint = Steps::createEndpoint(api, "by-token", receiver.url("/by-token"), {"*"});

	// While off: 202, no deliveries, nothing logged, nothing sent.
	for (const std::string account: {"by-admin", "by-token"})
	{
		const Steps::Event event = Steps::postEvent(api, account, "appointment.booking.created", R"({"while":"off"})");
		INFO("event for " << account << " while off -> " << event.response.describe());
		CHECK(event.status == 202);
		CHECK(event.deliveryIds.empty());
	}
	CHECK(deliveriesOfEndpoint(api, "by-admin", adminEndpoint.id) == 0);
	CHECK(deliveriesOfEndpoint(api, "by-token", tokenEndpoint.id) == 0);
	CHECK_FALSE(receiver.waitForCount(1, Poco::Timespan(1, 0)));

	// Switch on.
	const ApiResponse byAdmin = api.patch("/api/v1/accounts/by-admin", R"({"webhooksEnabled":true})");
	INFO("admin: PATCH webhooksEnabled true -> " << byAdmin.describe());
	REQUIRE(byAdmin.status == 200);
	CHECK(isTrue(byAdmin.json, "webhooksEnabled"));
	const std::string token = AccountSteps::issueToken(api, "by-token");
	const ApiResponse byToken = api.patch("/api/v1/accounts/by-token", R"({"webhooksEnabled":true})", token);
	INFO("account token: PATCH webhooksEnabled true -> " << byToken.describe());
	REQUIRE(byToken.status == 200);
	CHECK(isTrue(byToken.json, "webhooksEnabled"));
	CHECK(isTrue(AccountSteps::getAccount(api, "by-token"), "webhooksEnabled"));

	// Now events are delivered; the ones accepted while off are not sent afterwards.
	const Steps::Event adminEvent = Steps::postEvent(api, "by-admin", "appointment.booking.created", R"({"while":"on"})");
	CHECK(adminEvent.endpointIds == std::vector<std::string>{adminEndpoint.id});
	const Steps::Event tokenEvent = Steps::postEvent(api, "by-token", "appointment.booking.created", R"({"while":"on"})");
	CHECK(tokenEvent.endpointIds == std::vector<std::string>{tokenEndpoint.id});
	REQUIRE(adminEvent.deliveryIds.size() == 1);
	REQUIRE(tokenEvent.deliveryIds.size() == 1);
	CHECK(Steps::stringOf(Steps::waitForDeliveryStatus(api, "by-admin", adminEvent.deliveryIds[0], "succeeded"), "status") == "succeeded");
	CHECK(Steps::stringOf(Steps::waitForDeliveryStatus(api, "by-token", tokenEvent.deliveryIds[0], "succeeded"), "status") == "succeeded");
	REQUIRE(receiver.waitForCount(2, DEADLINE));
	CHECK_FALSE(receiver.waitForCount(3, Poco::Timespan(0, 500000)));
	for (const RecordedRequest& request: receiver.requests())
	{
		INFO(request.uri << ": " << request.body);
		Poco::JSON::Object::Ptr payload = ApiClient::parseObject(request.body);
		REQUIRE(payload);
		REQUIRE(payload->getObject("data"));
		CHECK(Steps::stringOf(payload->getObject("data"), "while") == "on");
	}

	// And off again: accepted, not delivered.
	const ApiResponse off = api.patch("/api/v1/accounts/by-token", R"({"webhooksEnabled":false})", token);
	INFO("account token: PATCH webhooksEnabled false -> " << off.describe());
	REQUIRE(off.status == 200);
	const Steps::Event offAgain = Steps::postEvent(api, "by-token", "appointment.booking.created", R"({"while":"off again"})");
	CHECK(offAgain.status == 202);
	CHECK(offAgain.deliveryIds.empty());
	CHECK_FALSE(receiver.waitForCount(3, Poco::Timespan(1, 0)));
}

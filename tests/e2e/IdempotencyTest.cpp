#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

using namespace Hookgate::Test;

TEST_CASE("The same event id posted again returns the first result and delivers once", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});

	const std::string body = R"({"type":"appointment.booking.created","id":"booking-4711","data":{"booking":4711}})";
	const Steps::Event first = Steps::postEvent(api, "acme", body);
	const Steps::Event second = Steps::postEvent(api, "acme", body);
	INFO("first: " << first.response.describe() << "\nsecond: " << second.response.describe());
	CHECK(first.status == 202);
	CHECK(second.status == 200);
	CHECK(second.id == first.id);
	REQUIRE(first.deliveryIds.size() == 1);
	CHECK(second.deliveryIds == first.deliveryIds);
	CHECK(second.endpointIds == first.endpointIds);
	CHECK(Steps::stringOf(second.response.json, "type") == "appointment.booking.created");

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", first.deliveryIds[0], "succeeded");
	REQUIRE(delivery);
	CHECK(Steps::stringOf(delivery, "status") == "succeeded");

	// Once more after the delivery, with other data: still the first result, nothing created.
	const Steps::Event third = Steps::postEvent(api, "acme",
		R"({"type":"appointment.booking.created","id":"booking-4711","data":{"booking":4712}})");
	INFO("third: " << third.response.describe());
	CHECK(third.status == 200);
	CHECK(third.id == first.id);
	CHECK(third.deliveryIds == first.deliveryIds);

	const ApiResponse list = api.get("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/deliveries");
	INFO("deliveries of the endpoint -> " << list.describe());
	REQUIRE(list.status == 200);
	REQUIRE(list.json);
	Poco::JSON::Array::Ptr items = list.json->getArray("items");
	REQUIRE(items);
	REQUIRE(items->size() == 1);
	CHECK(Steps::stringOf(items->getObject(0), "id") == first.deliveryIds[0]);

	CHECK_FALSE(receiver.waitForCount(2, Poco::Timespan(0, 500000)));
	REQUIRE(receiver.count() == 1);
	CHECK(receiver.requests()[0].headers.get("webhook-id", "") == first.id);
	Poco::JSON::Object::Ptr payload = ApiClient::parseObject(receiver.requests()[0].body);
	REQUIRE(payload);
	REQUIRE(payload->getObject("data"));
	CHECK(Steps::intOf(payload->getObject("data"), "booking") == 4711);
}

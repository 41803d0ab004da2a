// GET /api/v1/accounts/{account}/endpoint-options (an API extension for the dashboard): the
// event types an endpoint of the account can subscribe to, with what its plan allows, and
// the payload hierarchies the gateway has.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <map>
#include <string>
#include <vector>

using namespace Hookgate::Test;

namespace {

struct Option
{
	bool enterpriseOnly = false;
	bool available = false;
};

std::map<std::string, Option> eventTypesOf(const ApiResponse& response)
{
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	Poco::JSON::Array::Ptr items = response.json->getArray("eventTypes");
	REQUIRE(items);
	std::map<std::string, Option> out;
	for (std::size_t i = 0; i < items->size(); ++i)
	{
		Poco::JSON::Object::Ptr item = items->getObject(static_cast<unsigned>(i));
		REQUIRE(item);
		const std::string type = Steps::stringOf(item, "type");
		CHECK(out.count(type) == 0);
		REQUIRE(item->get("enterpriseOnly").isBoolean());
		REQUIRE(item->get("available").isBoolean());
		out[type] = Option{item->getValue<bool>("enterpriseOnly"), item->getValue<bool>("available")};
	}
	return out;
}

std::vector<std::string> hierarchiesOf(const ApiResponse& response)
{
	REQUIRE(response.json);
	Poco::JSON::Array::Ptr items = response.json->getArray("hierarchies");
	REQUIRE(items);
	std::vector<std::string> out;
	for (std::size_t i = 0; i < items->size(); ++i) out.push_back(items->getElement<std::string>(static_cast<unsigned>(i)));
	return out;
}

} // namespace

TEST_CASE("endpoint-options lists the catalog with what the plan allows, the hierarchies and the default limits, to the account's own token", "[e2e]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.events.types", "invoice.paid"}, {"hookgate.delivery.maxInFlight", "5"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "professional");
	Steps::createAccount(api, "bigcorp", "enterprise");
	const std::string acmeToken = AccountSteps::issueToken(api, "acme");

	const auto acme = eventTypesOf(api.get("/api/v1/accounts/acme/endpoint-options", acmeToken));
	CHECK(acme.size() == 16);  // the 15 of the catalog and the declared one
	for (const std::string type : {"appointment.booking.created", "event.booking.created", "appointment.booking.cancelled",
			 "event.booking.cancelled", "appointment.updated", "appointment.manual.booking.created", "event.manual.booking.created",
			 "customer.created", "customer.updated", "customer.deleted", "appointment.booking.payment_succeeded",
			 "appointment.booking.payment_failed", "event.booking.payment_succeeded", "event.booking.payment_failed", "invoice.paid"})
	{
		INFO(type);
		REQUIRE(acme.count(type) == 1);
		CHECK_FALSE(acme.at(type).enterpriseOnly);
		CHECK(acme.at(type).available);
	}
	REQUIRE(acme.count("lead.created") == 1);
	CHECK(acme.at("lead.created").enterpriseOnly);
	CHECK_FALSE(acme.at("lead.created").available);

	const ApiResponse big = api.get("/api/v1/accounts/bigcorp/endpoint-options");
	const auto bigTypes = eventTypesOf(big);
	REQUIRE(bigTypes.count("lead.created") == 1);
	CHECK(bigTypes.at("lead.created").enterpriseOnly);
	CHECK(bigTypes.at("lead.created").available);
	// The shipped templates/hierarchy/ has booking-summary.json and erp-import.json.
	CHECK(hierarchiesOf(big) == std::vector<std::string>{"nested", "flat", "template:booking-summary", "template:erp-import"});
	// What an endpoint's null maxInFlight and rateLimit stand for: hookgate.delivery.maxInFlight, no limit.
	REQUIRE(big.json->getObject("defaults"));
	CHECK(ApiClient::canonical(big.json->getObject("defaults")) == ApiClient::canonical(ApiClient::parseObject(R"({"maxInFlight":5,"rateLimit":null})")));

	checkApiError("another account's options", api.get("/api/v1/accounts/bigcorp/endpoint-options", acmeToken), 403, "forbidden", {"acme"});
	checkApiError("unknown account", api.get("/api/v1/accounts/nobody/endpoint-options"), 404, "not_found", {"nobody"});
	checkApiError("POST", api.post("/api/v1/accounts/acme/endpoint-options", "{}"), 405, "method_not_allowed");
	RawRequest anonymous;
	anonymous.path = "/api/v1/accounts/acme/endpoint-options";
	checkApiError("no token", api.send(anonymous), 401, "unauthorized");
}

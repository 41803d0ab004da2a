// Issue 5: deleting endpoints and accounts.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

/// Waits until the delivery has had its first (failed) attempt and is pending for a retry.
Poco::JSON::Object::Ptr waitForFirstFailure(const ApiClient& api, const std::string& account, const std::string& delivery)
{
	Poco::JSON::Object::Ptr last;
	waitUntil([&]
	{
		last = Steps::getDelivery(api, account, delivery);
		return last && Steps::intOf(last, "attemptCount") >= 1;
	}, DEADLINE, Poco::Timespan(0, 50000));
	return last;
}

} // namespace

TEST_CASE("Deleting an endpoint fails its pending deliveries with the error endpoint deleted and keeps them readable", "[e2e]")
{
	// The receiver is down and the next retry is an hour away.
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule", "1h, 1h"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Receiver survivor;
	survivor.start();

	Steps::createAccount(api, "acme");
	const std::string downUrl = "http://127.0.0.1:" + std::to_string(Receiver::unusedPort()) + "/down";
	const Steps::Endpoint doomed = Steps::createEndpoint(api, "acme", downUrl, {"appointment.booking.created"});
	const Steps::Endpoint kept = Steps::createEndpoint(api, "acme", survivor.url("/kept"), {"customer.created"});

	std::vector<std::string> deliveries;
	for (int i = 0; i < 3; ++i)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", "{\"n\":" + std::to_string(i) + "}");
		REQUIRE(event.deliveryIds.size() == 1);
		deliveries.push_back(event.deliveryIds[0]);
	}
	for (const auto& delivery: deliveries)
	{
		const Poco::JSON::Object::Ptr failedOnce = waitForFirstFailure(api, "acme", delivery);
		INFO("delivery before the delete: " << ApiClient::canonical(failedOnce));
		REQUIRE(failedOnce);
		REQUIRE(Steps::stringOf(failedOnce, "status") == "pending");
		CHECK(Steps::intOf(failedOnce, "attemptCount") == 1);
		CHECK(Steps::isIsoUtc(Steps::stringOf(failedOnce, "nextAttemptAt")));
	}

	const std::string doomedPath = "/api/v1/accounts/acme/endpoints/" + doomed.id;
	const ApiResponse removed = api.del(doomedPath);
	INFO("DELETE " << doomedPath << " -> " << removed.describe());
	REQUIRE(removed.status == 204);
	CHECK(removed.body.empty());

	for (const auto& delivery: deliveries)
	{
		const Poco::JSON::Object::Ptr failed = Steps::waitForDeliveryStatus(api, "acme", delivery, "failed", DEADLINE);
		INFO("delivery after the delete: " << ApiClient::canonical(failed));
		REQUIRE(failed);
		CHECK(Steps::stringOf(failed, "status") == "failed");
		CHECK(Steps::stringOf(failed, "error") == "endpoint deleted");
		CHECK(Steps::hasNull(failed, "nextAttemptAt"));
		CHECK(Steps::stringOf(failed, "endpointId") == doomed.id);
		CHECK(Steps::intOf(failed, "attemptCount") == 1);
		REQUIRE(failed->getArray("attempts"));
		CHECK(failed->getArray("attempts")->size() == 1);
		// Still readable, its payload too.
		const ApiResponse raw = api.get("/api/v1/accounts/acme/deliveries/" + delivery + "/raw");
		INFO("raw -> " << raw.describe());
		CHECK(raw.status == 200);
		CHECK(Steps::stringOf(ApiClient::parseObject(raw.body), "type") == "appointment.booking.created");
	}

	checkApiError("GET the deleted endpoint", api.get(doomedPath), 404, "not_found", {doomed.id});
	checkApiError("DELETE the deleted endpoint again", api.del(doomedPath), 404, "not_found", {doomed.id});
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{kept.id});
	CHECK(Steps::intOf(AccountSteps::getAccount(api, "acme"), "endpointCount") == 1);

	// A new event of that type creates no delivery; the other endpoint works on.
	CHECK(Steps::postEvent(api, "acme", "appointment.booking.created", "{}").deliveryIds.empty());
	const Steps::Event other = Steps::postEvent(api, "acme", "customer.created", "{}");
	REQUIRE(other.deliveryIds.size() == 1);
	CHECK(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", other.deliveryIds[0], "succeeded"), "status") == "succeeded");
}

TEST_CASE("Deleting an endpoint stops its retries at once", "[e2e]")
{
	// A receiver that keeps failing and a retry every 200 ms.
	Receiver receiver(Receiver::always(503));
	receiver.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule",
		"200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", "{}");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(receiver.waitForCount(2, DEADLINE));

	REQUIRE(api.del("/api/v1/accounts/acme/endpoints/" + endpoint.id).status == 204);
	const std::size_t atDelete = receiver.count();
	const Poco::JSON::Object::Ptr failed = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "failed", DEADLINE);
	INFO("delivery: " << ApiClient::canonical(failed));
	CHECK(Steps::stringOf(failed, "status") == "failed");
	CHECK(Steps::stringOf(failed, "error") == "endpoint deleted");
	// One attempt may have been in flight at the delete; after that, nothing for 2 s (10 retry periods).
	CHECK_FALSE(receiver.waitForCount(atDelete + 2, Poco::Timespan(2, 0)));
}

TEST_CASE("Deleting an account makes all its paths 404 and stops its deliveries", "[e2e]")
{
	Receiver receiver(Receiver::always(503));
	receiver.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule",
		"200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms, 200ms"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	Steps::createAccount(api, "globex");
	const std::string token = AccountSteps::issueToken(api, "globex");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "globex", receiver.url("/globex"), {"customer.created"});
	const Steps::Endpoint acmeEndpoint = Steps::createEndpoint(api, "acme", receiver.url("/acme"), {"appointment.updated"});
	const Steps::Event event = Steps::postEvent(api, "globex", "customer.created", "{}");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(receiver.waitForCount(2, DEADLINE));

	const ApiResponse removed = api.del("/api/v1/accounts/globex");
	INFO("DELETE /api/v1/accounts/globex -> " << removed.describe());
	REQUIRE(removed.status == 204);
	const std::size_t atDelete = receiver.count();

	const std::string a = "/api/v1/accounts/globex";
	const std::string e = a + "/endpoints/" + endpoint.id;
	const std::string d = a + "/deliveries/" + event.deliveryIds[0];
	checkApiError("GET account", api.get(a), 404, "not_found", {"globex"});
	checkApiError("PATCH account", api.patch(a, R"({"name":"back"})"), 404, "not_found", {"globex"});
	checkApiError("DELETE account again", api.del(a), 404, "not_found", {"globex"});
	checkApiError("POST tokens", api.post(a + "/tokens", "{}"), 404, "not_found", {"globex"});
	checkApiError("GET endpoints", api.get(a + "/endpoints"), 404, "not_found", {"globex"});
	checkApiError("POST endpoint", api.post(a + "/endpoints", AccountSteps::endpointBody(receiver.url("/new"), {"*"})),
		404, "not_found", {"globex"});
	checkApiError("GET endpoint", api.get(e), 404, "not_found");
	checkApiError("GET secret", api.get(e + "/secret"), 404, "not_found");
	checkApiError("GET stats", api.get(e + "/stats"), 404, "not_found");
	checkApiError("GET endpoint deliveries", api.get(e + "/deliveries"), 404, "not_found");
	checkApiError("POST event", api.post(a + "/events", R"({"type":"customer.created","data":{}})"), 404, "not_found", {"globex"});
	checkApiError("GET delivery", api.get(d), 404, "not_found");
	checkApiError("GET raw", api.get(d + "/raw"), 404, "not_found");
	const ApiResponse list = api.get("/api/v1/accounts");
	INFO("accounts -> " << list.describe());
	REQUIRE(list.json);
	REQUIRE(list.json->getArray("items"));
	CHECK(list.json->getArray("items")->size() == 1);
	CHECK(Steps::stringOf(list.json->getArray("items")->getObject(0), "id") == "acme");

	// The deleted account's token no longer opens anything.
	const ApiResponse withToken = api.get(a, token);
	INFO("deleted account's token: GET its account -> " << withToken.describe());
	CHECK(withToken.status >= 400);
	CHECK(withToken.status != 200);

	// Its pending delivery is not retried any more; the other account is untouched.
	CHECK_FALSE(receiver.waitForCount(atDelete + 2, Poco::Timespan(2, 0)));
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{acmeEndpoint.id});
	for (const RecordedRequest& request: receiver.requests()) CHECK(request.uri == "/globex");
}

#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

/// raw and download of a delivery both answer exactly `sent`, download as an attachment.
void checkRawAndDownload(const ApiClient& api, const std::string& deliveryId, const std::string& eventType, const std::string& sent)
{
	const ApiResponse raw = api.get(LogSteps::deliveryPath("acme", deliveryId, "/raw"));
	INFO("GET .../deliveries/" << deliveryId << "/raw -> " << raw.describe());
	INFO("the receiver got: " << sent);
	CHECK(raw.status == 200);
	CHECK(raw.contentType.rfind("application/json", 0) == 0);
	CHECK(raw.body == sent);
	CHECK_FALSE(raw.headers.has("Content-Disposition"));

	const ApiResponse download = api.get(LogSteps::deliveryPath("acme", deliveryId, "/download"));
	INFO("GET .../deliveries/" << deliveryId << "/download -> " << download.describe());
	CHECK(download.status == 200);
	CHECK(download.contentType.rfind("application/json", 0) == 0);
	CHECK(download.headers.get("Content-Disposition", "") == "attachment; filename=\"" + eventType + "_" + deliveryId + ".json\"");
	CHECK(download.body == sent);
}

} // namespace

TEST_CASE("Raw and download of succeeded and failed and in-flight HTTP deliveries are exactly the bytes the receiver got", "[e2e]")
{
	Receiver accepting(Receiver::always(200));
	accepting.start();
	Receiver failing(Receiver::always(500));
	failing.start();
	LogSteps::Gate gate;
	Receiver holding(gate.holder(Poco::Timespan(30, 0)));
	holding.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.timeout", "30s"}});
	gateway.start();
	LogSteps::GateOpener openAtEnd(gate);
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme", "business");
	Steps::createEndpoint(api, "acme", accepting.url("/accepting"), {"appointment.booking.created"});
	Steps::createEndpoint(api, "acme", failing.url("/failing"), {"customer.updated"});
	Steps::createEndpoint(api, "acme", holding.url("/holding"), {"event.booking.cancelled"});

	// Data whose bytes a re-serialisation would change: spacing, number forms, escapes, non-ASCII.
	const std::string data = "{ \"b\" : [1, 2.50, -0.0, 1e3, 12345678901234567890], \"s\":\"\\u00fc \\\"q\\\" \\/ \xC3\xA4\xE2\x82\xAC\","
		" \"e\":{}, \"a\":{\"z\":null,\"y\":true} }";

	SECTION("a succeeded delivery")
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", data);
		REQUIRE(event.deliveryIds.size() == 1);
		Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE);
		REQUIRE(Steps::stringOf(delivery, "status") == "succeeded");
		REQUIRE(accepting.count() == 1);
		checkRawAndDownload(api, event.deliveryIds[0], "appointment.booking.created", accepting.requests()[0].body);
	}

	SECTION("a failed delivery: every attempt sent the same bytes, and raw gives them")
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "customer.updated", data);
		REQUIRE(event.deliveryIds.size() == 1);
		Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "failed", DEADLINE);
		REQUIRE(Steps::stringOf(delivery, "status") == "failed");
		const std::vector<RecordedRequest> requests = failing.requests();
		REQUIRE(requests.size() == 3);
		CHECK(requests[1].body == requests[0].body);
		CHECK(requests[2].body == requests[0].body);
		checkRawAndDownload(api, event.deliveryIds[0], "customer.updated", requests[0].body);
	}

	SECTION("a pending delivery whose request is in flight")
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "event.booking.cancelled", data);
		REQUIRE(event.deliveryIds.size() == 1);
		REQUIRE(gate.waitArrived(DEADLINE));
		Poco::JSON::Object::Ptr delivery = Steps::getDelivery(api, "acme", event.deliveryIds[0]);
		INFO("delivery: " << ApiClient::canonical(delivery));
		CHECK(Steps::stringOf(delivery, "status") == "pending");
		const ApiResponse raw = api.get(LogSteps::deliveryPath("acme", event.deliveryIds[0], "/raw"));
		gate.open();
		REQUIRE(holding.waitForCount(1, DEADLINE));
		INFO("GET raw while pending -> " << raw.describe());
		CHECK(raw.status == 200);
		CHECK(raw.body == holding.requests()[0].body);
		delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE);
		CHECK(Steps::stringOf(delivery, "status") == "succeeded");
		checkRawAndDownload(api, event.deliveryIds[0], "event.booking.cancelled", holding.requests()[0].body);
	}

	SECTION("an unknown delivery and a delivery of another account are 404")
	{
		for (const char* suffix: {"/raw", "/download"})
		{
			checkApiError(std::string("GET unknown delivery") + suffix,
				api.get(LogSteps::deliveryPath("acme", "dlv_doesnotexist", suffix)), 404, "not_found", {"dlv_doesnotexist"});
		}
		const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", data);
		REQUIRE(event.deliveryIds.size() == 1);
		Steps::createAccount(api, "other");
		checkApiError("GET another account's delivery raw",
			api.get(LogSteps::deliveryPath("other", event.deliveryIds[0], "/raw")), 404, "not_found");
		checkApiError("GET another account's delivery download",
			api.get(LogSteps::deliveryPath("other", event.deliveryIds[0], "/download")), 404, "not_found");
	}
}

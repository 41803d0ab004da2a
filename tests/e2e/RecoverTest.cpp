#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

struct Posted
{
	std::vector<std::string> deliveryIds;
	std::vector<std::string> eventIds;
	std::string lastCreatedAt;
};

/// Posts `count` customer.updated events and waits until their deliveries have `status`.
Posted postAndWait(const ApiClient& api, const std::string& phase, int count, const std::string& status)
{
	Posted posted;
	for (int i = 0; i < count; ++i)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "customer.updated",
			"{\"phase\":\"" + phase + "\",\"n\":" + std::to_string(i) + "}");
		REQUIRE(event.deliveryIds.size() == 1);
		posted.deliveryIds.push_back(event.deliveryIds[0]);
		posted.eventIds.push_back(event.id);
	}
	for (const auto& id: posted.deliveryIds)
	{
		Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", id, status, DEADLINE);
		INFO("phase " << phase << ", delivery " << ApiClient::canonical(delivery));
		REQUIRE(Steps::stringOf(delivery, "status") == status);
		posted.lastCreatedAt = Steps::stringOf(delivery, "createdAt");
		REQUIRE(Steps::isIsoUtc(posted.lastCreatedAt));
	}
	return posted;
}

ApiResponse recover(const ApiClient& api, const std::string& endpointId, const std::string& body)
{
	return api.post("/api/v1/accounts/acme/endpoints/" + endpointId + "/recover", body);
}

std::multiset<std::string> webhookIds(const std::vector<RecordedRequest>& requests, std::size_t from)
{
	std::multiset<std::string> ids;
	for (std::size_t i = from; i < requests.size(); ++i) ids.insert(requests[i].headers.get("webhook-id", ""));
	return ids;
}

void checkReplayed(const ApiClient& api, const std::vector<std::string>& deliveryIds, Poco::Int64 replayCount)
{
	for (const auto& id: deliveryIds)
	{
		Poco::JSON::Object::Ptr delivery = Steps::getDelivery(api, "acme", id);
		INFO("delivery " << ApiClient::canonical(delivery));
		CHECK(Steps::intOf(delivery, "replayCount") == replayCount);
		if (replayCount == 0) CHECK(Steps::hasNull(delivery, "label"));
		else CHECK(Steps::stringOf(delivery, "label") == "replayed " + std::to_string(replayCount) + "\xC3\x97");
	}
}

} // namespace

TEST_CASE("Recover after an outage replays exactly the failed deliveries created in the window", "[e2e]")
{
	Receiver receiver(Receiver::always(200));
	receiver.start();
	const Poco::UInt16 port = receiver.port();
	receiver.stop();  // the outage begins
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule", "100ms"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.updated"});

	// Before the window: 2 failed.
	const Posted before = postAndWait(api, "before", 2, "failed");
	const Poco::Timestamp since = LogSteps::boundaryAfter(before.lastCreatedAt);
	REQUIRE(LogSteps::waitForClockPast(since, before.lastCreatedAt));

	// In the window: 3 failed while the receiver is down, then 1 succeeded once it is back.
	const Posted inside = postAndWait(api, "inside", 3, "failed");
	receiver.start(port);
	const Posted insideSucceeded = postAndWait(api, "inside-ok", 1, "succeeded");
	const Poco::Timestamp until = LogSteps::boundaryAfter(insideSucceeded.lastCreatedAt);
	REQUIRE(LogSteps::waitForClockPast(until, insideSucceeded.lastCreatedAt));

	// After the window: a second short outage, 1 failed.
	receiver.stop();
	const Posted after = postAndWait(api, "after", 1, "failed");
	receiver.start(port);
	REQUIRE(receiver.count() == 1);

	INFO("window: since " << LogSteps::iso(since) << ", until " << LogSteps::iso(until)
		<< "; last before " << before.lastCreatedAt << ", last inside " << insideSucceeded.lastCreatedAt);
	const std::string body = "{\"since\":\"" + LogSteps::iso(since) + "\",\"until\":\"" + LogSteps::iso(until) + "\"}";
	const ApiResponse recovered = recover(api, endpoint.id, body);
	INFO("POST .../recover " << body << " -> " << recovered.describe());
	REQUIRE(recovered.status == 202);
	REQUIRE(recovered.json);
	CHECK(recovered.json->size() == 1);
	CHECK(Steps::intOf(recovered.json, "replayed") == 3);

	// The receiver gets exactly the three failed ones of the window, once each.
	REQUIRE(receiver.waitForCount(4, DEADLINE));
	CHECK_FALSE(receiver.waitForCount(5, Poco::Timespan(1, 0)));
	const std::vector<RecordedRequest> requests = receiver.requests();
	CHECK(webhookIds(requests, 1) == std::multiset<std::string>(inside.eventIds.begin(), inside.eventIds.end()));

	// In the log: three replays of exactly those, succeeded; the labels on the originals.
	std::vector<std::string> replayIds;
	const bool replaysDone = waitUntil([&]
	{
		const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpoint.id, "?limit=500");
		replayIds.clear();
		bool allSucceeded = true;
		for (std::size_t i = 0; i < page.items.size(); ++i)
		{
			if (Steps::stringOf(page.items[i], "replayOf").empty()) continue;
			replayIds.push_back(page.ids[i]);
			allSucceeded = allSucceeded && page.statuses[i] == "succeeded";
		}
		return replayIds.size() == 3 && allSucceeded;
	}, DEADLINE);
	const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpoint.id, "?limit=500");
	INFO(page.text);
	CHECK(replaysDone);
	CHECK(page.ids.size() == 2 + 3 + 1 + 1 + 3);
	std::set<std::string> replayOf;
	for (const auto& item: page.items)
	{
		if (Steps::stringOf(item, "replayOf").empty()) continue;
		replayOf.insert(Steps::stringOf(item, "replayOf"));
		CHECK(Steps::stringOf(item, "label") == "replay");
	}
	CHECK(replayOf == std::set<std::string>(inside.deliveryIds.begin(), inside.deliveryIds.end()));
	checkReplayed(api, inside.deliveryIds, 1);
	checkReplayed(api, before.deliveryIds, 0);
	checkReplayed(api, insideSucceeded.deliveryIds, 0);
	checkReplayed(api, after.deliveryIds, 0);

	// Without until the window reaches to now: only the failed one after the first window.
	const std::string openBody = "{\"since\":\"" + LogSteps::iso(until) + "\"}";
	const ApiResponse open = recover(api, endpoint.id, openBody);
	INFO("POST .../recover " << openBody << " -> " << open.describe());
	REQUIRE(open.status == 202);
	CHECK(Steps::intOf(open.json, "replayed") == 1);
	REQUIRE(receiver.waitForCount(5, DEADLINE));
	CHECK_FALSE(receiver.waitForCount(6, Poco::Timespan(1, 0)));
	CHECK(receiver.requests()[4].headers.get("webhook-id", "") == after.eventIds[0]);
	checkReplayed(api, after.deliveryIds, 1);
}

TEST_CASE("Recover without since or with until before since or with a bad time is 422 and replays nothing", "[e2e]")
{
	Receiver receiver(Receiver::always(200));
	receiver.start();
	const Poco::UInt16 port = receiver.port();
	receiver.stop();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule", "100ms"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.updated"});
	const Posted failed = postAndWait(api, "outage", 1, "failed");
	receiver.start(port);

	const Poco::Timestamp now;
	const std::string earlier = LogSteps::iso(now - Poco::Timespan(3600, 0));
	const std::string later = LogSteps::iso(now + Poco::Timespan(3600, 0));

	checkApiError("recover {}", recover(api, endpoint.id, "{}"), 422, "validation_failed", {"since"});
	checkApiError("recover with until only", recover(api, endpoint.id, "{\"until\":\"" + later + "\"}"),
		422, "validation_failed", {"since"});
	checkApiError("recover with until before since",
		recover(api, endpoint.id, "{\"since\":\"" + later + "\",\"until\":\"" + earlier + "\"}"), 422, "validation_failed", {"until"});
	checkApiError("recover with since not a time", recover(api, endpoint.id, "{\"since\":\"yesterday\"}"),
		422, "validation_failed", {"since"});
	checkApiError("recover with since a number", recover(api, endpoint.id, "{\"since\":1700000000}"),
		422, "validation_failed", {"since"});
	checkApiError("recover of an unknown endpoint", recover(api, "ep_doesnotexist", "{\"since\":\"" + earlier + "\"}"),
		404, "not_found");

	CHECK_FALSE(receiver.waitForCount(1, Poco::Timespan(1, 0)));
	checkReplayed(api, failed.deliveryIds, 0);
	const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpoint.id, "");
	INFO(page.text);
	CHECK(page.ids == failed.deliveryIds);

	// The same window, valid, does replay it: the refusals above were not for want of a failed delivery.
	const ApiResponse valid = recover(api, endpoint.id, "{\"since\":\"" + earlier + "\",\"until\":\"" + later + "\"}");
	INFO("valid recover -> " << valid.describe());
	CHECK(valid.status == 202);
	CHECK(Steps::intOf(valid.json, "replayed") == 1);
	CHECK(receiver.waitForCount(1, DEADLINE));
}

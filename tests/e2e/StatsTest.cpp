#include "ApiClient.h"
#include "AccountSteps.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/DateTimeFormatter.h>

#include <map>

using namespace Hookgate::Test;

namespace {

using LogSteps::failFlagged;

const Poco::Timespan DEADLINE(20, 0);

std::vector<std::string> post(const ApiClient& api, const std::string& type, const std::vector<bool>& fails)
{
	std::vector<std::string> ids;
	for (std::size_t i = 0; i < fails.size(); ++i)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", type,
			"{\"n\":" + std::to_string(i) + (fails[i] ? ",\"fail\":true}" : "}"));
		REQUIRE(event.deliveryIds.size() == 1);
		ids.push_back(event.deliveryIds[0]);
	}
	return ids;
}

/// The counts the log shows for an endpoint, optionally only deliveries created at or after `since`.
LogSteps::Stats countLog(const ApiClient& api, const std::string& endpointId, const Poco::Timestamp* since = nullptr)
{
	const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpointId, "?limit=500");
	INFO(page.text);
	REQUIRE(page.status == 200);
	REQUIRE(page.nextIsNull);
	LogSteps::Stats counted;
	counted.total = counted.succeeded = counted.failed = counted.pending = 0;
	for (const auto& item: page.items)
	{
		if (since && Steps::parseIsoUtc(Steps::stringOf(item, "createdAt")) < *since) continue;
		++counted.total;
		const std::string status = Steps::stringOf(item, "status");
		if (status == "succeeded") ++counted.succeeded;
		else if (status == "failed") ++counted.failed;
		else if (status == "pending") ++counted.pending;
	}
	return counted;
}

void checkCounts(const LogSteps::Stats& stats, const LogSteps::Stats& log)
{
	INFO(stats.text);
	INFO("the log counts " << log.counts());
	CHECK(stats.status == 200);
	CHECK(stats.total == log.total);
	CHECK(stats.succeeded == log.succeeded);
	CHECK(stats.failed == log.failed);
	CHECK(stats.pending == log.pending);
	const Poco::Int64 finished = log.succeeded + log.failed;
	if (finished == 0)
	{
		CHECK(stats.successRateNull);
	}
	else
	{
		REQUIRE(stats.successRate);
		CHECK(*stats.successRate == Approx(static_cast<double>(log.succeeded) / static_cast<double>(finished)).margin(0.001));
	}
}

} // namespace

TEST_CASE("Endpoint statistics match the log and give the success rate over finished deliveries and count only newer ones with since", "[e2e]")
{
	Receiver receiver(failFlagged);
	receiver.start();
	LogSteps::Gate gate;
	Receiver holding(gate.holder(Poco::Timespan(30, 0)));
	holding.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.timeout", "30s"}});  // retrySchedule 100ms, 100ms
	gateway.start();
	LogSteps::GateOpener openAtEnd(gate);
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.updated"});
	const Steps::Endpoint heldEndpoint = Steps::createEndpoint(api, "acme", holding.url("/held"), {"customer.created"});

	// Nothing yet: all zero, successRate null; the endpoint object carries the same stats.
	{
		const LogSteps::Stats empty = LogSteps::fetchStats(api, "acme", endpoint.id);
		INFO(empty.text);
		CHECK(empty.status == 200);
		CHECK(empty.total == 0);
		CHECK(empty.succeeded == 0);
		CHECK(empty.failed == 0);
		CHECK(empty.pending == 0);
		CHECK(empty.successRateNull);
	}

	// Only a pending delivery: nothing finished, successRate still null.
	const Steps::Event heldEvent = Steps::postEvent(api, "acme", "customer.created", R"({"held":true})");
	REQUIRE(heldEvent.deliveryIds.size() == 1);
	REQUIRE(gate.waitArrived(DEADLINE));
	{
		const LogSteps::Stats held = LogSteps::fetchStats(api, "acme", heldEndpoint.id);
		INFO(held.text);
		CHECK(held.status == 200);
		CHECK(held.total == 1);
		CHECK(held.pending == 1);
		CHECK(held.succeeded == 0);
		CHECK(held.failed == 0);
		CHECK(held.successRateNull);
		checkCounts(held, countLog(api, heldEndpoint.id));
	}
	gate.open();
	REQUIRE(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", heldEvent.deliveryIds[0], "succeeded", DEADLINE), "status")
		== "succeeded");
	{
		const LogSteps::Stats held = LogSteps::fetchStats(api, "acme", heldEndpoint.id);
		INFO(held.text);
		CHECK(held.total == 1);
		CHECK(held.succeeded == 1);
		CHECK(held.pending == 0);
		REQUIRE(held.successRate);
		CHECK(*held.successRate == Approx(1.0));
	}

	// One of two failed: 0.5.
	const std::vector<std::string> first = post(api, "customer.updated", {false, true});
	REQUIRE(LogSteps::waitForFinished(api, "acme", first));
	{
		const LogSteps::Stats half = LogSteps::fetchStats(api, "acme", endpoint.id);
		INFO(half.text);
		CHECK(half.total == 2);
		CHECK(half.succeeded == 1);
		CHECK(half.failed == 1);
		CHECK(half.pending == 0);
		REQUIRE(half.successRate);
		CHECK(*half.successRate == Approx(0.5));
		checkCounts(half, countLog(api, endpoint.id));
		const LogSteps::Stats ofEndpoint = LogSteps::statsOf(AccountSteps::getEndpoint(api, "acme", endpoint.id)->getObject("stats"));
		INFO("GET endpoint: stats " << ofEndpoint.counts());
		CHECK(ofEndpoint.sameCountsAs(half));
	}

	// since: only the deliveries created at or after it.
	std::string lastCreatedAt = Steps::stringOf(Steps::getDelivery(api, "acme", first.back()), "createdAt");
	REQUIRE(Steps::isIsoUtc(lastCreatedAt));
	const Poco::Timestamp since = LogSteps::boundaryAfter(lastCreatedAt);
	REQUIRE(LogSteps::waitForClockPast(since, lastCreatedAt));
	const std::vector<std::string> second = post(api, "customer.updated", {false, false, true, false, false, true});
	REQUIRE(LogSteps::waitForFinished(api, "acme", second));

	const LogSteps::Stats all = LogSteps::fetchStats(api, "acme", endpoint.id);
	checkCounts(all, countLog(api, endpoint.id));
	CHECK(all.total == 8);
	CHECK(all.succeeded == 5);
	CHECK(all.failed == 3);

	const std::string sinceQuery = "?since=" + LogSteps::encode(LogSteps::iso(since));
	const LogSteps::Stats newer = LogSteps::fetchStats(api, "acme", endpoint.id, sinceQuery);
	checkCounts(newer, countLog(api, endpoint.id, &since));
	CHECK(newer.total == 6);
	CHECK(newer.succeeded == 4);
	CHECK(newer.failed == 2);
	CHECK(newer.pending == 0);
	REQUIRE(newer.successRate);
	CHECK(*newer.successRate == Approx(4.0 / 6.0).margin(0.001));

	// Without fraction of a second, too.
	const Poco::Timestamp wholeSecondBefore = Poco::Timestamp::fromEpochTime(Steps::parseIsoUtc(lastCreatedAt).epochTime() - 3600);
	const LogSteps::Stats hourBefore = LogSteps::fetchStats(api, "acme", endpoint.id,
		"?since=" + Poco::DateTimeFormatter::format(wholeSecondBefore, "%Y-%m-%dT%H:%M:%SZ"));
	INFO(hourBefore.text);
	CHECK(hourBefore.sameCountsAs(all));

	// A since in the future: nothing, successRate null.
	const LogSteps::Stats future = LogSteps::fetchStats(api, "acme", endpoint.id,
		"?since=" + LogSteps::encode(LogSteps::iso(Poco::Timestamp() + Poco::Timespan(3600, 0))));
	INFO(future.text);
	CHECK(future.status == 200);
	CHECK(future.total == 0);
	CHECK(future.successRateNull);

	// Replays are deliveries of the endpoint too: the statistics follow the log.
	RawRequest replay;
	replay.method = "POST";
	replay.path = LogSteps::deliveryPath("acme", first[0], "/replay");  // the succeeded one of the first two
	replay.body = std::string();
	replay.authorization = "Bearer " + GatewayProcess::ADMIN_TOKEN;
	const ApiResponse replayed = api.send(replay);
	INFO("replay -> " << replayed.describe());
	REQUIRE(replayed.status == 202);
	REQUIRE(replayed.json);
	const std::string replayId = Steps::stringOf(replayed.json, "id");
	REQUIRE(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", replayId, "succeeded", DEADLINE), "status") == "succeeded");
	const LogSteps::Stats withReplay = LogSteps::fetchStats(api, "acme", endpoint.id);
	checkCounts(withReplay, countLog(api, endpoint.id));
	CHECK(withReplay.total == 9);
	CHECK(withReplay.succeeded == 6);
	CHECK(withReplay.failed == 3);
	const LogSteps::Stats newerWithReplay = LogSteps::fetchStats(api, "acme", endpoint.id, sinceQuery);
	checkCounts(newerWithReplay, countLog(api, endpoint.id, &since));
	CHECK(newerWithReplay.total == 7);

	// A since that is not a time is refused, naming the parameter.
	checkApiError("GET stats?since=yesterday",
		api.get("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/stats?since=yesterday"), 422, "validation_failed", {"since"});
	checkApiError("GET stats of an unknown endpoint",
		api.get("/api/v1/accounts/acme/endpoints/ep_doesnotexist/stats"), 404, "not_found");
}

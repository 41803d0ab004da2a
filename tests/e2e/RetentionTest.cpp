#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "PrometheusText.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <map>

using namespace Hookgate::Test;

namespace {

using LogSteps::failFlagged;

const Poco::Timespan DEADLINE(20, 0);

bool isTrue(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	if (!object || !object->has(key) || object->isNull(key)) return false;
	const Poco::Dynamic::Var value = object->get(key);
	return value.type() == typeid(bool) && value.extract<bool>();
}

bool waitArchived(const ApiClient& api, const std::vector<std::string>& deliveries, const Poco::Timespan& deadline)
{
	return waitUntil([&]
	{
		for (const auto& id: deliveries)
			if (!isTrue(Steps::getDelivery(api, "acme", id), "archived")) return false;
		return true;
	}, deadline, Poco::Timespan(0, 100000));
}

std::optional<double> archivedGauge(const ApiClient& api)
{
	RawRequest request;
	request.path = "/metrics";
	const ApiResponse response = api.send(request);
	const PrometheusText metrics = PrometheusText::parse(response.body);
	return metrics.value("hookgate_archived_deliveries");
}

void check410(const ApiClient& api, const std::string& deliveryId)
{
	checkApiError("GET raw of archived " + deliveryId, api.get(LogSteps::deliveryPath("acme", deliveryId, "/raw")),
		410, "archived", {deliveryId});
	checkApiError("GET download of archived " + deliveryId, api.get(LogSteps::deliveryPath("acme", deliveryId, "/download")),
		410, "archived", {deliveryId});
	RawRequest replay;
	replay.method = "POST";
	replay.path = LogSteps::deliveryPath("acme", deliveryId, "/replay");
	replay.body = std::string();
	replay.authorization = "Bearer " + GatewayProcess::ADMIN_TOKEN;
	checkApiError("POST replay of archived " + deliveryId, api.send(replay), 410, "archived", {deliveryId});
}

} // namespace

TEST_CASE("After a retention period of seconds finished deliveries are archived with 410 for their payload while the log and stats stay unchanged", "[e2e]")
{
	Receiver receiver(failFlagged);
	receiver.start();
	LogSteps::Gate gate;
	Receiver holding(gate.holder(Poco::Timespan(40, 0), "held"));
	holding.start();
	GatewayProcess gateway(GatewayProcess::Properties{
		{"hookgate.retention.period", "2s"},
		{"hookgate.retention.sweepInterval", "1s"},
		{"hookgate.delivery.timeout", "40s"},
	});
	gateway.start();
	LogSteps::GateOpener openAtEnd(gate);
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.updated"});
	const Steps::Endpoint heldEndpoint = Steps::createEndpoint(api, "acme", holding.url("/held"), {"customer.created"});

	// First a delivery that stays pending (its request is held open by the receiver) ...
	const Steps::Event heldEvent = Steps::postEvent(api, "acme", "customer.created", R"({"held":true})");
	REQUIRE(heldEvent.deliveryIds.size() == 1);
	const std::string heldId = heldEvent.deliveryIds[0];
	REQUIRE(gate.waitArrived(DEADLINE));

	// ... then two that succeed and one that fails.
	std::vector<std::string> finished;
	for (const char* data: {R"({"n":1})", R"({"n":2})", R"({"n":3,"fail":true})"})
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "customer.updated", data);
		REQUIRE(event.deliveryIds.size() == 1);
		finished.push_back(event.deliveryIds[0]);
	}
	REQUIRE(LogSteps::waitForFinished(api, "acme", finished));
	REQUIRE(receiver.count() == 2 + 3);
	const std::map<std::string, std::string> expectedStatus = {
		{finished[0], "succeeded"}, {finished[1], "succeeded"}, {finished[2], "failed"}};

	// Before archiving.
	std::map<std::string, Poco::JSON::Object::Ptr> before;
	for (const auto& id: finished)
	{
		before[id] = Steps::getDelivery(api, "acme", id);
		INFO("before archiving: " << ApiClient::canonical(before[id]));
		REQUIRE(before[id]);
		CHECK(Steps::stringOf(before[id], "status") == expectedStatus.at(id));
		const Poco::Timestamp created = Steps::parseIsoUtc(Steps::stringOf(before[id], "createdAt"));
		if (Poco::Timestamp() < created + Poco::Timespan(1, 500000) && Steps::isFalse(before[id], "archived"))
		{
			Poco::JSON::Array::Ptr attempts = before[id]->getArray("attempts");
			REQUIRE(attempts);
			REQUIRE(attempts->size() > 0);
			CHECK(Steps::stringOf(attempts->getObject(0), "responseBody") == (expectedStatus.at(id) == "failed" ? "no" : "ok"));
			const ApiResponse raw = api.get(LogSteps::deliveryPath("acme", id, "/raw"));
			INFO("raw before archiving -> " << raw.describe());
			CHECK(raw.status == 200);
		}
		else
		{
			WARN("the machine is too slow to see " << id << " before the retention period of 2s passed");
		}
	}
	const LogSteps::Stats statsBefore = LogSteps::fetchStats(api, "acme", endpoint.id);
	{
		INFO(statsBefore.text);
		REQUIRE(statsBefore.status == 200);
		CHECK(statsBefore.total == 3);
		CHECK(statsBefore.succeeded == 2);
		CHECK(statsBefore.failed == 1);
		CHECK(statsBefore.pending == 0);
		REQUIRE(statsBefore.successRate);
		CHECK(*statsBefore.successRate == Approx(2.0 / 3.0).margin(0.001));
	}
	const LogSteps::Page listBefore = LogSteps::fetchPage(api, "acme", endpoint.id, "");
	REQUIRE(listBefore.status == 200);
	CHECK(listBefore.ids == std::vector<std::string>{finished[2], finished[1], finished[0]});

	// The sweeper archives them once they are older than 2 s.
	const bool archived = waitArchived(api, finished, DEADLINE);
	INFO(gateway.logTail(4000));
	REQUIRE(archived);

	for (const auto& id: finished)
	{
		Poco::JSON::Object::Ptr after = Steps::getDelivery(api, "acme", id);
		INFO("before: " << ApiClient::canonical(before[id]));
		INFO("after:  " << ApiClient::canonical(after));
		REQUIRE(after);
		CHECK(isTrue(after, "archived"));
		for (const char* key: {"id", "endpointId", "eventId", "eventType", "transport", "createdAt", "status", "lastAttemptAt"})
			CHECK(Steps::stringOf(after, key) == Steps::stringOf(before[id], key));
		CHECK(Steps::intOf(after, "attemptCount") == Steps::intOf(before[id], "attemptCount"));
		CHECK(Steps::intOf(after, "responseCode") == Steps::intOf(before[id], "responseCode"));
		Poco::JSON::Array::Ptr attemptsBefore = before[id]->getArray("attempts");
		Poco::JSON::Array::Ptr attemptsAfter = after->getArray("attempts");
		REQUIRE(attemptsBefore);
		REQUIRE(attemptsAfter);
		REQUIRE(attemptsAfter->size() == attemptsBefore->size());
		for (unsigned i = 0; i < attemptsAfter->size(); ++i)
		{
			Poco::JSON::Object::Ptr attempt = attemptsAfter->getObject(i);
			INFO("attempt " << i);
			CHECK(Steps::hasNull(attempt, "responseBody"));
			CHECK(Steps::stringOf(attempt, "at") == Steps::stringOf(attemptsBefore->getObject(i), "at"));
			CHECK(Steps::intOf(attempt, "responseCode") == Steps::intOf(attemptsBefore->getObject(i), "responseCode"));
		}
		check410(api, id);
	}
	CHECK_FALSE(receiver.waitForCount(2 + 3 + 1, Poco::Timespan(0, 500000)));

	const LogSteps::Stats statsAfter = LogSteps::fetchStats(api, "acme", endpoint.id);
	{
		INFO("before: " << statsBefore.counts());
		INFO(statsAfter.text);
		CHECK(statsAfter.status == 200);
		CHECK(statsAfter.sameCountsAs(statsBefore));
	}
	const LogSteps::Page listAfter = LogSteps::fetchPage(api, "acme", endpoint.id, "");
	{
		INFO(listAfter.text);
		CHECK(listAfter.ids == listBefore.ids);
		CHECK(listAfter.statuses == listBefore.statuses);
		for (const auto& item: listAfter.items) CHECK(isTrue(item, "archived"));
		CHECK(LogSteps::fetchPage(api, "acme", endpoint.id, "?status=failed").ids == std::vector<std::string>{finished[2]});
	}

	// The archived failed delivery is not recovered.
	const Poco::Timestamp now;
	const ApiResponse recovered = api.post("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/recover",
		"{\"since\":\"" + LogSteps::iso(now - Poco::Timespan(3600, 0)) + "\"}");
	INFO("recover over the archived failed delivery -> " << recovered.describe());
	CHECK(recovered.status == 202);
	CHECK(Steps::intOf(recovered.json, "replayed") == 0);

	// The pending delivery is older than the others, yet keeps its payload while it is pending.
	Poco::JSON::Object::Ptr held = Steps::getDelivery(api, "acme", heldId);
	{
		INFO("held delivery: " << ApiClient::canonical(held));
		REQUIRE(Steps::stringOf(held, "status") == "pending");
		CHECK(Steps::isFalse(held, "archived"));
		const ApiResponse raw = api.get(LogSteps::deliveryPath("acme", heldId, "/raw"));
		INFO("raw of the pending delivery -> " << raw.describe());
		CHECK(raw.status == 200);
		CHECK(raw.body.find("\"held\":true") != std::string::npos);
		CHECK(archivedGauge(api) == std::optional<double>(3));
	}

	// Once it has finished, it is archived too.
	gate.open();
	held = Steps::waitForDeliveryStatus(api, "acme", heldId, "succeeded", DEADLINE);
	CHECK(Steps::stringOf(held, "status") == "succeeded");
	CHECK(waitArchived(api, {heldId}, DEADLINE));
	check410(api, heldId);
	const LogSteps::Stats heldStats = LogSteps::fetchStats(api, "acme", heldEndpoint.id);
	INFO(heldStats.text);
	CHECK(heldStats.total == 1);
	CHECK(heldStats.succeeded == 1);
	CHECK(heldStats.pending == 0);
	CHECK(archivedGauge(api) == std::optional<double>(4));
}

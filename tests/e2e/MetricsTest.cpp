#include "ApiClient.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "PrometheusText.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

struct Scrape
{
	ApiResponse response;
	PrometheusText metrics;

	double value(const std::string& name, const PrometheusText::Labels& labels = PrometheusText::Labels()) const
	{
		const std::optional<double> found = metrics.value(name, labels);
		return found ? *found : -1;
	}
};

/// GET /metrics without a token; requires 200 and a valid exposition.
Scrape scrape(const ApiClient& api)
{
	RawRequest request;
	request.path = "/metrics";
	Scrape result;
	result.response = api.send(request);
	result.metrics = PrometheusText::parse(result.response.body);
	INFO("GET /metrics -> " << result.response.describe());
	INFO("format errors:\n" << result.metrics.errorText());
	REQUIRE(result.response.status == 200);
	REQUIRE(result.metrics.ok());
	return result;
}

const PrometheusText::Labels HTTP_SUCCEEDED = {{"transport", "http"}, {"outcome", "succeeded"}};
const PrometheusText::Labels HTTP_FAILED = {{"transport", "http"}, {"outcome", "failed"}};
const PrometheusText::Labels ATTEMPT_SUCCEEDED = {{"transport", "http"}, {"result", "succeeded"}};
const PrometheusText::Labels ATTEMPT_TRANSIENT = {{"transport", "http"}, {"result", "transient"}};
const PrometheusText::Labels HTTP = {{"transport", "http"}};

} // namespace

TEST_CASE("The independent Prometheus text parser of the tests accepts a valid exposition and rejects broken ones", "[e2e]")
{
	const std::string valid =
		"# HELP a_total Things.\n# TYPE a_total counter\na_total{x=\"1\",y=\"q\\\"\\\\\\n\"} 3\na_total{x=\"2\"} 0\n"
		"# TYPE g gauge\ng -1.5e3\n# a comment\n\n"
		"# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 4\nh_sum 2.5\nh_count 4\n";
	const PrometheusText ok = PrometheusText::parse(valid);
	INFO(ok.errorText());
	CHECK(ok.ok());
	CHECK(ok.value("a_total", {{"x", "1"}, {"y", "q\"\\\n"}}) == std::optional<double>(3));
	CHECK(ok.value("g") == std::optional<double>(-1500));
	CHECK(ok.typeOf("h") == "histogram");

	const std::vector<std::pair<std::string, std::string>> broken = {
		{"no TYPE", "x 1\n"},
		{"no final line feed", "# TYPE x gauge\nx 1"},
		{"bad value", "# TYPE x gauge\nx one\n"},
		{"unquoted label", "# TYPE x gauge\nx{a=1} 1\n"},
		{"bad label name", "# TYPE x gauge\nx{1a=\"1\"} 1\n"},
		{"bad type", "# TYPE x meter\nx 1\n"},
		{"TYPE after samples", "# TYPE x gauge\nx 1\n# TYPE x gauge\n"},
		{"duplicate series", "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n"},
		{"family not grouped", "# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 1\n"},
		{"negative counter", "# TYPE c counter\nc -1\n"},
		{"not cumulative", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"},
		{"no +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_sum 1\nh_count 3\n"},
		{"+Inf differs from count", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 4\n"},
		{"no sum", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_count 3\n"},
		{"bounds not increasing", "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
	};
	for (const auto& example: broken)
	{
		INFO(example.first << ":\n" << example.second);
		CHECK_FALSE(PrometheusText::parse(example.second).ok());
	}
}

TEST_CASE("GET /metrics needs no token and is valid Prometheus text with the documented families", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const Scrape first = scrape(api);
	INFO(first.response.body);
	CHECK(first.response.contentType.rfind("text/plain", 0) == 0);

	const std::map<std::string, std::string> families = {
		{"hookgate_events_ingested_total", "counter"},
		{"hookgate_deliveries_created_total", "counter"},
		{"hookgate_replays_total", "counter"},
		{"hookgate_deliveries_total", "counter"},
		{"hookgate_attempts_total", "counter"},
		{"hookgate_attempt_duration_seconds", "histogram"},
		{"hookgate_pending_deliveries", "gauge"},
		{"hookgate_oldest_pending_age_seconds", "gauge"},
		{"hookgate_archived_deliveries", "gauge"},
	};
	for (const auto& family: families)
	{
		INFO("family " << family.first);
		CHECK(first.metrics.typeOf(family.first) == family.second);
		CHECK(first.metrics.helps.count(family.first) == 1);
	}
	// A fresh gateway: everything at zero, the series present from the start.
	CHECK(first.value("hookgate_events_ingested_total") == 0);
	CHECK(first.value("hookgate_deliveries_total", HTTP_SUCCEEDED) == 0);
	CHECK(first.value("hookgate_deliveries_total", HTTP_FAILED) == 0);
	CHECK(first.value("hookgate_attempts_total", ATTEMPT_TRANSIENT) == 0);
	CHECK(first.value("hookgate_attempt_duration_seconds_count", HTTP) == 0);
	CHECK(first.value("hookgate_attempt_duration_seconds_bucket", {{"transport", "http"}, {"le", "+Inf"}}) == 0);
	CHECK(first.value("hookgate_pending_deliveries") == 0);
	CHECK(first.value("hookgate_oldest_pending_age_seconds") == 0);
	CHECK(first.value("hookgate_archived_deliveries") == 0);

	// With a token, even a wrong one, it answers the same way (no token is needed).
	RawRequest withToken;
	withToken.path = "/metrics";
	withToken.authorization = "Bearer not-a-token";
	const ApiResponse answer = api.send(withToken);
	INFO("GET /metrics with a wrong token -> " << answer.describe());
	CHECK(answer.status == 200);
	CHECK(PrometheusText::parse(answer.body).ok());
}

TEST_CASE("The metrics counters move as events are delivered and retried and held back by a receiver that is down", "[e2e]")
{
	Receiver accepting(Receiver::always(200));
	accepting.start();
	Receiver failing(Receiver::always(500));
	failing.start();
	Receiver down(Receiver::always(200));
	down.start();
	const Poco::UInt16 downPort = down.port();
	down.stop();
	// 3 attempts close together, then a 3 s pause before the 4th (and last): a delivery stays pending a while.
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule", "100ms, 100ms, 3s"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", accepting.url("/ok"), {"appointment.booking.created"});
	Steps::createEndpoint(api, "acme", failing.url("/fail"), {"customer.deleted"});
	Steps::createEndpoint(api, "acme", down.url("/down"), {"customer.updated"});

	const Scrape start = scrape(api);

	// N events to the 200 receiver.
	const int N = 5;
	std::vector<std::string> accepted;
	for (int i = 0; i < N; ++i)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", "{\"n\":" + std::to_string(i) + "}");
		REQUIRE(event.deliveryIds.size() == 1);
		accepted.push_back(event.deliveryIds[0]);
	}
	REQUIRE(LogSteps::waitForFinished(api, "acme", accepted));
	{
		Scrape now = scrape(api);
		// The counters are updated after the store; allow them to catch up within the deadline.
		waitUntil([&]
		{
			now = scrape(api);
			return now.value("hookgate_deliveries_total", HTTP_SUCCEEDED) - start.value("hookgate_deliveries_total", HTTP_SUCCEEDED) >= N;
		}, DEADLINE, Poco::Timespan(0, 50000));
		INFO(now.response.body);
		CHECK(now.value("hookgate_events_ingested_total") - start.value("hookgate_events_ingested_total") == N);
		CHECK(now.value("hookgate_deliveries_created_total") - start.value("hookgate_deliveries_created_total") == N);
		CHECK(now.value("hookgate_deliveries_total", HTTP_SUCCEEDED) - start.value("hookgate_deliveries_total", HTTP_SUCCEEDED) == N);
		CHECK(now.value("hookgate_deliveries_total", HTTP_FAILED) == start.value("hookgate_deliveries_total", HTTP_FAILED));
		CHECK(now.value("hookgate_attempts_total", ATTEMPT_SUCCEEDED) - start.value("hookgate_attempts_total", ATTEMPT_SUCCEEDED) == N);
		CHECK(now.value("hookgate_attempts_total", ATTEMPT_TRANSIENT) == start.value("hookgate_attempts_total", ATTEMPT_TRANSIENT));
		CHECK(now.value("hookgate_attempt_duration_seconds_count", HTTP) - start.value("hookgate_attempt_duration_seconds_count", HTTP) == N);
		CHECK(now.value("hookgate_attempt_duration_seconds_sum", HTTP) > start.value("hookgate_attempt_duration_seconds_sum", HTTP));
		CHECK(now.value("hookgate_pending_deliveries") == 0);
		CHECK(now.value("hookgate_oldest_pending_age_seconds") == 0);
	}

	// One event to the receiver answering 500: transient attempts grow while it is retried.
	const Scrape beforeFailing = scrape(api);
	const Steps::Event failingEvent = Steps::postEvent(api, "acme", "customer.deleted", R"({"customer":1})");
	REQUIRE(failingEvent.deliveryIds.size() == 1);
	REQUIRE(waitUntil([&]
	{
		return Steps::intOf(Steps::getDelivery(api, "acme", failingEvent.deliveryIds[0]), "attemptCount") >= 3;
	}, DEADLINE));
	{
		const Scrape now = scrape(api);
		Poco::JSON::Object::Ptr delivery = Steps::getDelivery(api, "acme", failingEvent.deliveryIds[0]);
		INFO("delivery: " << ApiClient::canonical(delivery));
		INFO(now.response.body);
		const double transient = now.value("hookgate_attempts_total", ATTEMPT_TRANSIENT)
			- beforeFailing.value("hookgate_attempts_total", ATTEMPT_TRANSIENT);
		CHECK(transient >= 3);
		CHECK(now.value("hookgate_attempt_duration_seconds_count", HTTP)
			- beforeFailing.value("hookgate_attempt_duration_seconds_count", HTTP) >= 3);
		if (Steps::stringOf(delivery, "status") == "pending")
		{
			CHECK(now.value("hookgate_pending_deliveries") == 1);
			CHECK(transient == 3);
		}
		CHECK(now.value("hookgate_deliveries_total", HTTP_FAILED) == beforeFailing.value("hookgate_deliveries_total", HTTP_FAILED));
	}
	Poco::JSON::Object::Ptr failedDelivery = Steps::waitForDeliveryStatus(api, "acme", failingEvent.deliveryIds[0], "failed", DEADLINE);
	REQUIRE(Steps::stringOf(failedDelivery, "status") == "failed");
	{
		Scrape now = scrape(api);
		waitUntil([&]
		{
			now = scrape(api);
			return now.value("hookgate_deliveries_total", HTTP_FAILED) > beforeFailing.value("hookgate_deliveries_total", HTTP_FAILED);
		}, DEADLINE, Poco::Timespan(0, 50000));
		INFO(now.response.body);
		CHECK(now.value("hookgate_deliveries_total", HTTP_FAILED) - beforeFailing.value("hookgate_deliveries_total", HTTP_FAILED) == 1);
		CHECK(now.value("hookgate_attempts_total", ATTEMPT_TRANSIENT) + now.value("hookgate_attempts_total", {{"transport", "http"}, {"result", "permanent"}})
			- beforeFailing.value("hookgate_attempts_total", ATTEMPT_TRANSIENT)
			- beforeFailing.value("hookgate_attempts_total", {{"transport", "http"}, {"result", "permanent"}}) == 4);
		CHECK(now.value("hookgate_pending_deliveries") == 0);
	}

	// One event to the receiver that is down: the pending gauge and the age of the oldest pending rise.
	const Steps::Event heldBack = Steps::postEvent(api, "acme", "customer.updated", R"({"customer":2})");
	REQUIRE(heldBack.deliveryIds.size() == 1);
	REQUIRE(waitUntil([&]
	{
		return Steps::intOf(Steps::getDelivery(api, "acme", heldBack.deliveryIds[0]), "attemptCount") >= 3;
	}, DEADLINE));
	{
		Scrape now = scrape(api);
		// The age is measured from createdAt; wait until it shows.
		waitUntil([&]
		{
			now = scrape(api);
			return now.value("hookgate_oldest_pending_age_seconds") > 0;
		}, Poco::Timespan(2, 0), Poco::Timespan(0, 50000));
		Poco::JSON::Object::Ptr delivery = Steps::getDelivery(api, "acme", heldBack.deliveryIds[0]);
		INFO("delivery: " << ApiClient::canonical(delivery));
		INFO(now.response.body);
		REQUIRE(Steps::stringOf(delivery, "status") == "pending");  // scraped while it was pending
		CHECK(now.value("hookgate_pending_deliveries") == 1);
		const double age = now.value("hookgate_oldest_pending_age_seconds");
		const double sinceCreated = static_cast<double>(Poco::Timestamp().epochMicroseconds()
			- Steps::parseIsoUtc(Steps::stringOf(delivery, "createdAt")).epochMicroseconds()) / 1e6;
		CHECK(age > 0);
		CHECK(age <= sinceCreated + 1.0);
	}

	// The receiver comes back: the last attempt succeeds, the queue is empty again.
	down.start(downPort);
	Poco::JSON::Object::Ptr delivered = Steps::waitForDeliveryStatus(api, "acme", heldBack.deliveryIds[0], "succeeded", DEADLINE);
	REQUIRE(Steps::stringOf(delivered, "status") == "succeeded");
	{
		Scrape now = scrape(api);
		waitUntil([&]
		{
			now = scrape(api);
			return now.value("hookgate_pending_deliveries") == 0 && now.value("hookgate_oldest_pending_age_seconds") == 0;
		}, DEADLINE, Poco::Timespan(0, 50000));
		INFO(now.response.body);
		CHECK(now.value("hookgate_pending_deliveries") == 0);
		CHECK(now.value("hookgate_oldest_pending_age_seconds") == 0);
		CHECK(now.value("hookgate_events_ingested_total") - start.value("hookgate_events_ingested_total") == N + 2);
		CHECK(now.value("hookgate_deliveries_total", HTTP_SUCCEEDED) - start.value("hookgate_deliveries_total", HTTP_SUCCEEDED) == N + 1);
	}

	// A replay counts as a replay and a created delivery, not as an ingested event.
	const Scrape beforeReplay = scrape(api);
	RawRequest replay;
	replay.method = "POST";
	replay.path = LogSteps::deliveryPath("acme", accepted[0], "/replay");
	replay.body = std::string();
	replay.authorization = "Bearer " + GatewayProcess::ADMIN_TOKEN;
	const ApiResponse replayed = api.send(replay);
	INFO("replay -> " << replayed.describe());
	REQUIRE(replayed.status == 202);
	REQUIRE(accepting.waitForCount(N + 1, DEADLINE));
	{
		Scrape now = scrape(api);
		waitUntil([&]
		{
			now = scrape(api);
			return now.value("hookgate_deliveries_total", HTTP_SUCCEEDED) > beforeReplay.value("hookgate_deliveries_total", HTTP_SUCCEEDED);
		}, DEADLINE, Poco::Timespan(0, 50000));
		INFO(now.response.body);
		CHECK(now.value("hookgate_replays_total") - beforeReplay.value("hookgate_replays_total") == 1);
		CHECK(now.value("hookgate_deliveries_created_total") - beforeReplay.value("hookgate_deliveries_created_total") == 1);
		CHECK(now.value("hookgate_events_ingested_total") == beforeReplay.value("hookgate_events_ingested_total"));
		CHECK(now.value("hookgate_deliveries_total", HTTP_SUCCEEDED) - beforeReplay.value("hookgate_deliveries_total", HTTP_SUCCEEDED) == 1);
	}
}

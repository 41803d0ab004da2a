#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/Timestamp.h>

#include <set>

using namespace Hookgate::Test;

namespace {

std::string longSchedule(int retries)
{
	std::string schedule;
	for (int i = 0; i < retries; ++i) schedule += (i ? ", " : "") + std::string("500ms");
	return schedule;
}

} // namespace

TEST_CASE("Every acknowledged event is delivered after kill -9 and a restart", "[e2e]")
{
	const int eventCount = 300;
	// Enough retries that no delivery gives up while the receiver is down:
	// 40 x 500 ms = 20 s of retrying before the crash. A short lease: on PostgreSQL the
	// restarted gateway cannot tell its dead predecessor's claims from another node's, so
	// those deliveries are taken again when their lease ends (SQLite releases them at start).
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule", longSchedule(40)},
		{"hookgate.delivery.leaseTime", "5s"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const Poco::UInt16 receiverPort = Receiver::unusedPort();
	Receiver receiver;  // not started: nothing listens on receiverPort yet
	const std::string url = "http://127.0.0.1:" + std::to_string(receiverPort) + "/hook";

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", url, {"appointment.booking.created"});

	const Poco::Timestamp postingStarted;
	std::set<std::string> messageIds;
	for (int i = 0; i < eventCount; ++i)
	{
		const ApiResponse response = api.post("/api/v1/accounts/acme/events",
			R"({"type":"appointment.booking.created","data":{"n":)" + std::to_string(i) + "}}");
		INFO("event #" << i << " -> " << response.describe());
		REQUIRE(response.status == 202);
		REQUIRE(response.json);
		const std::string id = Steps::stringOf(response.json, "id");
		REQUIRE(id.rfind("msg_", 0) == 0);
		REQUIRE(response.json->getArray("deliveries"));
		REQUIRE(response.json->getArray("deliveries")->size() == 1);
		messageIds.insert(id);
	}
	REQUIRE(messageIds.size() == static_cast<std::size_t>(eventCount));
	INFO("posting " << eventCount << " events took " << postingStarted.elapsed() / 1000 << " ms");

	// Precondition: nothing has given up yet (else the test proves nothing about the crash).
	const ApiResponse failed = api.get("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/deliveries?status=failed&limit=1");
	INFO("failed before the crash -> " << failed.describe());
	REQUIRE(failed.status == 200);
	REQUIRE(failed.json);
	REQUIRE(failed.json->getArray("items"));
	REQUIRE(failed.json->getArray("items")->size() == 0);

	gateway.kill9();
	receiver.start(receiverPort);
	gateway.restart(Poco::Timespan(60, 0));
	api.setPort(gateway.port());

	const auto arrivedIds = [&receiver]
	{
		std::set<std::string> ids;
		for (const RecordedRequest& request: receiver.requests()) ids.insert(request.headers.get("webhook-id", ""));
		return ids;
	};
	const bool allArrived = waitUntil([&]
	{
		const std::set<std::string> ids = arrivedIds();
		for (const auto& id: messageIds)
			if (!ids.count(id)) return false;
		return true;
	}, Poco::Timespan(120, 0), Poco::Timespan(0, 200000));

	const std::set<std::string> arrived = arrivedIds();
	std::vector<std::string> missing;
	for (const auto& id: messageIds)
		if (!arrived.count(id)) missing.push_back(id);
	std::vector<std::string> unexpected;
	for (const auto& id: arrived)
		if (!messageIds.count(id)) unexpected.push_back(id);
	INFO(missing.size() << " of " << eventCount << " webhook-ids never arrived, e.g. " << (missing.empty() ? "-" : missing.front())
		<< "; " << receiver.count() << " requests received");
	CHECK(allArrived);
	CHECK(missing.empty());
	CHECK(unexpected.empty());

	// And the log agrees: all of them succeeded.
	std::size_t succeeded = 0;
	const bool allSucceeded = waitUntil([&]
	{
		const ApiResponse list = api.get("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/deliveries?status=succeeded&limit=500");
		if (list.status != 200 || !list.json || !list.json->getArray("items")) return false;
		succeeded = list.json->getArray("items")->size();
		return succeeded == static_cast<std::size_t>(eventCount);
	}, Poco::Timespan(30, 0), Poco::Timespan(0, 200000));
	INFO(succeeded << " deliveries succeeded");
	CHECK(allSucceeded);
}

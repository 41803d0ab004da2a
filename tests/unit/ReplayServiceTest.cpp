#include "FakeClock.h"
#include "Refusal.h"
#include "StoreTestData.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/ReplayService.h"
#include "gateway/store/SQLiteStore.h"

#include <catch2/catch.hpp>

#include <functional>

using namespace Hookgate;
using namespace Hookgate::Test;

namespace {

/// An in-memory store with one endpoint and one delivery of it that has failed for good.
struct ReplaySetup
{
	ReplaySetup(): clock(5000)
	{
		SQLiteStore::Options options;
		options.path = ":memory:";
		store = std::make_unique<SQLiteStore>(options);
		store->createAccount(makeAccount("acme"));
		store->createEndpoint(makeEndpoint("acme", "ep_1"), 10);
		const IngestResult ingested = store->insertEvent(makeEvent("acme", "msg_1"),
			{NewDelivery{"dlv_1", "ep_1", "http", "{\"x\":1}"}});
		REQUIRE(ingested.deliveries.size() == 1);
		auto claimed = store->claimDue(5000, 10000, 10);
		REQUIRE(claimed.size() == 1);
		Attempt attempt;
		attempt.at = 5001;
		attempt.responseCode = 500;
		attempt.error = "HTTP 500";
		store->recordAttempt(claimed[0].seq, attempt, DeliveryStatus::Failed, 0);
		clock.set(6000);
		service = std::make_unique<ReplayService>(*store, clock, metrics, [this] { ++wakeUps; });
	}

	FakeClock clock;
	Metrics metrics;
	std::unique_ptr<SQLiteStore> store;
	std::unique_ptr<ReplayService> service;
	int wakeUps = 0;
};

} // namespace

TEST_CASE("A replay is a new pending delivery of the same payload, counted on the original, and wakes the dispatcher", "[replay]")
{
	ReplaySetup setup;
	const Delivery replay = setup.service->replay("acme", "dlv_1");
	CHECK(replay.id.rfind("dlv_", 0) == 0);
	CHECK(replay.id != "dlv_1");
	CHECK(replay.replayOf == "dlv_1");
	CHECK(replay.status == DeliveryStatus::Pending);
	CHECK(setup.store->payload(replay.seq) == std::optional<std::string>("{\"x\":1}"));
	CHECK(setup.store->delivery("acme", "dlv_1", false)->replayCount == 1);
	CHECK(setup.wakeUps == 1);
}

TEST_CASE("A replay of an unknown delivery or of another account's is refused as not found", "[replay]")
{
	ReplaySetup setup;
	setup.store->createAccount(makeAccount("globex"));
	for (const auto& [account, id] : std::vector<std::pair<std::string, std::string>>{{"acme", "dlv_nope"}, {"globex", "dlv_1"}})
	{
		const DomainError e = refusalOf([&] { setup.service->replay(account, id); });
		CHECK(e.code() == DomainError::Code::NotFound);
		CHECK(e.message() == "delivery '" + id + "' not found in account '" + account + "'");
	}
	CHECK(setup.wakeUps == 0);
}

TEST_CASE("Recover replays the failed deliveries of its window only, and refuses an empty window", "[replay]")
{
	ReplaySetup setup;
	CHECK(setup.service->recover("acme", "ep_1", 5001, 9000) == 0);  // created at 5000: before the window
	CHECK(setup.wakeUps == 0);
	CHECK(setup.service->recover("acme", "ep_1", 4000, 9000) == 1);
	CHECK(setup.wakeUps == 1);
	CHECK(setup.store->delivery("acme", "dlv_1", false)->replayCount == 1);

	const DomainError e = refusalOf([&] { setup.service->recover("acme", "ep_1", 9000, 9000); });
	CHECK(e.code() == DomainError::Code::ValidationFailed);
	CHECK(e.field() == "until");
	CHECK(e.message() == "until: must be later than since");
}

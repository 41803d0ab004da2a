// The store tests, run against every store: each TEMPLATE_TEST_CASE runs once per store kind
// (SQLiteStores, PostgreSQLStores; ctest lists each as its own test). Tests of one kind's own
// behaviour (SQLite's file, PostgreSQL's nodes) say so in their name and tags.

#include "gateway/store/PostgreSQLStore.h"
#include "gateway/store/SQLiteStore.h"

#include "PostgreSQLTestServer.h"
#include "StoreTestData.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include <algorithm>

#include <atomic>
#include <memory>
#include <thread>

using namespace Hookgate;
using namespace Hookgate::Test;

namespace {

SQLiteStore::Options memory()
{
	SQLiteStore::Options o;
	o.path = ":memory:";
	return o;
}

/// SQLite stores on one database file of a temporary folder; open() again after the last one
/// closed sees the same data.
class SQLiteStores
{
public:
	SQLiteStores()
	{
		_dir.createDirectories();
		_options.path = Poco::Path(_dir.path(), "hookgate.db").toString();  // synchronous=FULL, the default
	}

	std::unique_ptr<Store> open() { return std::make_unique<SQLiteStore>(_options); }

private:
	Poco::TemporaryFile _dir;
	SQLiteStore::Options _options;
};

/// PostgreSQL stores on a new database of this test process's server; every open() is
/// another connection to the same database (another node).
class PostgreSQLStores
{
public:
	PostgreSQLStores() { _options.connection = Test::PostgreSQLTestServer::shared().createDatabase(); }

	std::unique_ptr<Store> open() { return std::make_unique<PostgreSQLStore>(_options); }

private:
	PostgreSQLStore::Options _options;
};

} // namespace

TEMPLATE_TEST_CASE("an account is created once, read back, updated and deleted", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	REQUIRE(store->createAccount(makeAccount("acme")) == Store::CreateResult::Created);
	REQUIRE(store->createAccount(makeAccount("acme")) == Store::CreateResult::AlreadyExists);
	auto a = store->account("acme");
	REQUIRE(a);
	CHECK(a->name == "Name of acme");
	CHECK(a->plan == "professional");
	CHECK(a->webhooksEnabled);
	CHECK(a->createdAt == 1000);
	CHECK(a->endpointCount == 0);
	a->plan = "basic";
	a->webhooksEnabled = false;
	REQUIRE(store->updateAccount(*a));
	CHECK(store->account("acme")->plan == "basic");
	CHECK_FALSE(store->account("acme")->webhooksEnabled);
	REQUIRE(store->accounts().size() == 1);
	REQUIRE(store->deleteAccount("acme", 3000));
	CHECK_FALSE(store->account("acme"));
	CHECK_FALSE(store->deleteAccount("acme", 3000));
}

TEMPLATE_TEST_CASE("endpoint creation stops at the plan limit", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	CHECK(store->createEndpoint(makeEndpoint("acme", "ep_1"), 2) == Store::CreateResult::Created);
	CHECK(store->createEndpoint(makeEndpoint("acme", "ep_2"), 2) == Store::CreateResult::Created);
	CHECK(store->createEndpoint(makeEndpoint("acme", "ep_3"), 2) == Store::CreateResult::LimitReached);
	CHECK(store->account("acme")->endpointCount == 2);
	REQUIRE(store->deleteEndpoint("acme", "ep_1", 100));
	CHECK(store->createEndpoint(makeEndpoint("acme", "ep_3"), 2) == Store::CreateResult::Created);
}

TEMPLATE_TEST_CASE("an endpoint's fields survive the round trip through the store", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	Endpoint e = makeEndpoint("acme", "ep_1");
	e.description = "ERP";
	e.enabled = false;
	e.maxInFlight = 3;
	e.rateLimit = 20;
	store->createEndpoint(e, 10);
	auto read = store->endpoint("acme", "ep_1");
	REQUIRE(read);
	CHECK(read->url == e.url);
	REQUIRE(read->authHeader);
	CHECK(read->authHeader->key == "X-Key");
	CHECK(read->authHeader->value == "s3cr3t");
	CHECK(read->eventTypes == e.eventTypes);
	CHECK(read->description == "ERP");
	CHECK_FALSE(read->enabled);
	CHECK(read->maxInFlight == 3);
	CHECK(read->rateLimit == 20);
	CHECK(read->secret == "whsec_abc");
	CHECK_FALSE(store->endpoint("other", "ep_1"));  // scoped by account

	read->authHeader.reset();
	read->previousSecret = "whsec_old";
	read->previousSecretUntil = 99;
	read->maxInFlight = 0;
	read->rateLimit = 5;
	REQUIRE(store->updateEndpoint(*read));
	auto again = store->endpoint("acme", "ep_1");
	CHECK_FALSE(again->authHeader);
	CHECK(again->maxInFlight == 0);
	CHECK(again->rateLimit == 5);
	CHECK(again->previousSecret == "whsec_old");
	CHECK(again->previousSecretUntil == 99);
}

TEMPLATE_TEST_CASE("an event and its deliveries are stored together and an idempotency key returns the first result", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	std::vector<NewDelivery> deliveries{{"dlv_1", "ep_1", "http", "{\"a\":1}"}, {"dlv_2", "ep_2", "http", "{\"b\":2}"}};
	auto first = store->insertEvent(makeEvent("acme", "msg_1", "key-1"), deliveries);
	CHECK_FALSE(first.duplicate);
	CHECK(first.eventId == "msg_1");
	REQUIRE(first.deliveries.size() == 2);

	auto second = store->insertEvent(makeEvent("acme", "msg_2", "key-1"), {{"dlv_3", "ep_1", "http", "{}"}});
	CHECK(second.duplicate);
	CHECK(second.eventId == "msg_1");
	CHECK(second.deliveries == first.deliveries);
	CHECK_FALSE(store->delivery("acme", "dlv_3", false));

	auto byKey = store->eventByKey("acme", "key-1");
	REQUIRE(byKey);
	CHECK(byKey->eventId == "msg_1");
	CHECK_FALSE(store->eventByKey("other", "key-1"));  // keys are per account

	auto d = store->delivery("acme", "dlv_1", true);
	REQUIRE(d);
	CHECK(d->status == DeliveryStatus::Pending);
	CHECK(d->eventType == "appointment.updated");
	CHECK(d->attempts.empty());
	CHECK_FALSE(store->delivery("other", "dlv_1", false));  // scoped by account
}

TEMPLATE_TEST_CASE("pending endpoints come with their limits and next due time, and claims take each endpoint's due deliveries in due order", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	store->createAccount(makeAccount("zeta"));
	Endpoint fast = makeEndpoint("acme", "ep_a");
	fast.maxInFlight = 2;
	fast.rateLimit = 7;
	store->createEndpoint(fast, 10);
	store->createEndpoint(makeEndpoint("acme", "ep_b"), 10);
	Endpoint off = makeEndpoint("zeta", "ep_c");
	off.enabled = false;
	store->createEndpoint(off, 10);
	store->createEndpoint(makeEndpoint("zeta", "ep_d"), 10);
	// ep_a: three due at 1000; ep_b: one due at 5000; ep_c: disabled; ep_d: nothing pending.
	for (int i = 1; i <= 3; ++i)
	{
		Event early = makeEvent("acme", "msg_a" + std::to_string(i));
		early.createdAt = 1000;
		store->insertEvent(early, {{"dlv_a" + std::to_string(i), "ep_a", "http", "{}"}});
	}
	store->insertEvent(makeEvent("acme", "msg_b1"), {{"dlv_b1", "ep_b", "http", "{}"}});  // created (due) at 5000
	Event disabled = makeEvent("zeta", "msg_c1");
	disabled.createdAt = 1000;
	store->insertEvent(disabled, {{"dlv_c1", "ep_c", "http", "{}"}});

	auto pending = store->pendingEndpoints();
	std::sort(pending.begin(), pending.end(), [](const auto& x, const auto& y) { return x.endpointId < y.endpointId; });
	REQUIRE(pending.size() == 2);  // not the disabled one, nor the one with nothing pending
	CHECK(pending[0].endpointId == "ep_a");
	CHECK(pending[0].accountId == "acme");
	CHECK(pending[0].maxInFlight == 2);
	CHECK(pending[0].rateLimit == 7);
	CHECK(pending[0].nextDue == 1000);
	CHECK(pending[1].endpointId == "ep_b");
	CHECK(pending[1].maxInFlight == 0);
	CHECK(pending[1].rateLimit == 0);
	CHECK(pending[1].nextDue == 5000);

	// Two of ep_a, in due order; ep_b is not due yet; an unknown endpoint gives nothing.
	auto claimed = store->claimDue(2000, 60000, {EndpointClaim{"ep_a", 2}, EndpointClaim{"ep_b", 5}, EndpointClaim{"ep_x", 5}});
	REQUIRE(claimed.size() == 2);
	CHECK(claimed[0].id == "dlv_a1");
	CHECK(claimed[1].id == "dlv_a2");
	CHECK(claimed[0].accountId == "acme");
	CHECK(claimed[0].endpointId == "ep_a");
	// The rest of ep_a is claimed next; held ones are not claimed again.
	REQUIRE(store->claimDue(2000, 60000, {EndpointClaim{"ep_a", 5}}).size() == 1);
	CHECK(store->claimDue(2000, 60000, {EndpointClaim{"ep_a", 5}}).empty());
	CHECK(store->nextDueTime() == 1000);
	// Enabled again, the held deliveries of ep_c are pending again.
	off.enabled = true;
	REQUIRE(store->updateEndpoint(off));
	CHECK(store->pendingEndpoints().size() == 3);
	CHECK(store->claimDue(2000, 60000, {EndpointClaim{"ep_c", 5}}).size() == 1);
}

TEMPLATE_TEST_CASE("claiming takes due deliveries once until the lease ends or the attempt is recorded", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{\"x\":1}"}});

	CHECK(store->claimDue(4999, 10000, 10).empty());  // not due yet
	auto claimed = store->claimDue(5000, 10000, 10);
	REQUIRE(claimed.size() == 1);
	CHECK(claimed[0].payload == "{\"x\":1}");
	CHECK(claimed[0].eventId == "msg_1");
	CHECK(store->claimDue(6000, 20000, 10).empty());    // held by the lease
	CHECK(store->claimDue(10000, 20000, 10).size() == 1);  // lease over: taken again

	Attempt a;
	a.at = 10001;
	a.responseCode = 500;
	a.durationMs = 12;
	a.error = "HTTP 500 Internal Server Error";
	a.responseBody = "oops";
	store->recordAttempt(claimed[0].seq, a, DeliveryStatus::Pending, 15000);
	CHECK(store->nextDueTime() == 15000);
	CHECK(store->claimDue(14999, 30000, 10).empty());
	auto again = store->claimDue(15000, 30000, 10);
	REQUIRE(again.size() == 1);
	CHECK(again[0].attemptCount == 1);

	Attempt ok;
	ok.at = 15001;
	ok.responseCode = 204;
	ok.responseBody = "";
	store->recordAttempt(again[0].seq, ok, DeliveryStatus::Succeeded, 0);
	CHECK(store->claimDue(100000, 200000, 10).empty());
	CHECK(store->nextDueTime() == 0);

	auto d = store->delivery("acme", "dlv_1", true);
	REQUIRE(d);
	CHECK(d->status == DeliveryStatus::Succeeded);
	CHECK(d->attemptCount == 2);
	CHECK(d->responseCode == 204);
	CHECK(d->lastAttemptAt == 15001);
	REQUIRE(d->attempts.size() == 2);
	CHECK(d->attempts[0].responseCode == 500);
	CHECK(d->attempts[0].error == "HTTP 500 Internal Server Error");
	CHECK(d->attempts[0].responseBody == std::optional<std::string>("oops"));
	CHECK(d->attempts[1].responseCode == 204);
}

TEST_CASE("releasing claims makes a crashed process's deliveries due again at once in SQLite", "[store][sqlite]")
{
	SQLiteStore store(memory());
	store.createAccount(makeAccount("acme"));
	store.insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}});
	REQUIRE(store.claimDue(5000, 100000, 10).size() == 1);
	CHECK(store.claimDue(6000, 100000, 10).empty());
	store.releaseClaims();
	CHECK(store.claimDue(6000, 100000, 10).size() == 1);
}

TEMPLATE_TEST_CASE("deleting an endpoint fails its pending deliveries and keeps them readable", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	store->createEndpoint(makeEndpoint("acme", "ep_1"), 10);
	store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}});
	REQUIRE(store->deleteEndpoint("acme", "ep_1", 7000));
	CHECK_FALSE(store->endpoint("acme", "ep_1"));
	auto d = store->delivery("acme", "dlv_1", false);
	REQUIRE(d);
	CHECK(d->status == DeliveryStatus::Failed);
	CHECK(d->lastError == "endpoint deleted");
	CHECK(store->claimDue(100000, 200000, 10).empty());
}

TEMPLATE_TEST_CASE("the deliveries list pages newest first with a cursor and filters by status", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	for (int i = 1; i <= 5; ++i)
		store->insertEvent(makeEvent("acme", "msg_" + std::to_string(i)), {{"dlv_" + std::to_string(i), "ep_1", "http", "{}"}});
	store->insertEvent(makeEvent("acme", "msg_x"), {{"dlv_x", "ep_2", "http", "{}"}});

	auto page1 = store->deliveries("acme", "ep_1", std::nullopt, 0, 2);
	REQUIRE(page1.size() == 2);
	CHECK(page1[0].id == "dlv_5");
	CHECK(page1[1].id == "dlv_4");
	auto page2 = store->deliveries("acme", "ep_1", std::nullopt, page1.back().seq, 2);
	REQUIRE(page2.size() == 2);
	CHECK(page2[0].id == "dlv_3");
	CHECK(page2[1].id == "dlv_2");
	auto page3 = store->deliveries("acme", "ep_1", std::nullopt, page2.back().seq, 2);
	REQUIRE(page3.size() == 1);
	CHECK(page3[0].id == "dlv_1");

	auto claimed = store->claimDue(5000, 9000, 1);
	REQUIRE(claimed.size() == 1);
	Attempt ok;
	ok.at = 5001;
	ok.responseCode = 200;
	store->recordAttempt(claimed[0].seq, ok, DeliveryStatus::Succeeded, 0);
	auto succeeded = store->deliveries("acme", "ep_1", DeliveryStatus::Succeeded, 0, 10);
	REQUIRE(succeeded.size() == 1);
	CHECK(succeeded[0].id == claimed[0].id);
	CHECK(store->deliveries("acme", "ep_1", DeliveryStatus::Pending, 0, 10).size() == 4);
	CHECK(store->deliveries("other", "ep_1", std::nullopt, 0, 10).empty());

	auto stats = store->stats("ep_1", 0);
	CHECK(stats.total == 5);
	CHECK(stats.succeeded == 1);
	CHECK(stats.pending == 4);
	CHECK(stats.failed == 0);
	CHECK(store->stats("ep_1", 5001).total == 0);
}

TEMPLATE_TEST_CASE("a database keeps its data across reopening", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	{
		auto store = stores.open();
		store->createAccount(makeAccount("acme"));
		store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{\"kept\":true}"}});
	}
	auto reopened = stores.open();
	REQUIRE(reopened->account("acme"));
	auto claimed = reopened->claimDue(5000, 6000, 10);
	REQUIRE(claimed.size() == 1);
	CHECK(claimed[0].payload == "{\"kept\":true}");
}

TEST_CASE("a SQLite database file is created with its folder and records its schema version", "[store][sqlite]")
{
	Poco::TemporaryFile dir;
	dir.createDirectories();
	SQLiteStore::Options options;
	options.path = Poco::Path(dir.path(), "sub/hookgate.db").toString();
	{
		SQLiteStore store(options);
		store.createAccount(makeAccount("acme"));
	}
	SQLiteStore reopened(options);
	REQUIRE(reopened.account("acme"));
	Poco::Data::Session session("SQLite", options.path);
	int version = -1;
	session << "PRAGMA user_version", Poco::Data::Keywords::into(version), Poco::Data::Keywords::now;
	CHECK(version == SQLiteStore::schemaVersion());
	CHECK(SQLiteStore::schemaVersion() >= 1);
}

TEMPLATE_TEST_CASE("a disabled endpoint's pending deliveries are held until it is enabled again", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	Endpoint e = makeEndpoint("acme", "ep_1");
	store->createEndpoint(e, 10);
	store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}});
	e.enabled = false;
	REQUIRE(store->updateEndpoint(e));
	CHECK(store->claimDue(100000, 200000, 10).empty());
	e.enabled = true;
	REQUIRE(store->updateEndpoint(e));
	CHECK(store->claimDue(100000, 200000, 10).size() == 1);
}

TEMPLATE_TEST_CASE("a replay is a new delivery of the same bytes and the original counts it", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	store->createEndpoint(makeEndpoint("acme", "ep_1"), 10);
	store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{\"same\":\"bytes\"}"}});
	Delivery replay;
	REQUIRE(store->replay("acme", "dlv_1", "dlv_r1", 9000, replay) == Store::ReplayResult::Replayed);
	CHECK(replay.id == "dlv_r1");
	CHECK(replay.replayOf == "dlv_1");
	CHECK(replay.eventId == "msg_1");
	CHECK(replay.status == DeliveryStatus::Pending);
	CHECK(replay.createdAt == 9000);
	CHECK(store->payload(replay.seq) == std::optional<std::string>("{\"same\":\"bytes\"}"));
	REQUIRE(store->replay("acme", "dlv_1", "dlv_r2", 9001, replay) == Store::ReplayResult::Replayed);
	CHECK(store->delivery("acme", "dlv_1", false)->replayCount == 2);
	CHECK(store->replay("other", "dlv_1", "dlv_r3", 9002, replay) == Store::ReplayResult::NotFound);
	CHECK(store->stats("ep_1", 0).total == 3);
	// The idempotency answer lists the original deliveries only.
	store->insertEvent(makeEvent("acme", "msg_2", "k"), {{"dlv_2", "ep_1", "http", "{}"}});
	store->replay("acme", "dlv_2", "dlv_r4", 9003, replay);
	CHECK(store->eventByKey("acme", "k")->deliveries.size() == 1);

	store->deleteEndpoint("acme", "ep_1", 9500);
	CHECK(store->replay("acme", "dlv_1", "dlv_r5", 9600, replay) == Store::ReplayResult::EndpointGone);
}

TEMPLATE_TEST_CASE("archiving deletes payloads and response bodies of finished deliveries and keeps the statistics", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	store->createEndpoint(makeEndpoint("acme", "ep_1"), 10);
	store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}});
	store->insertEvent(makeEvent("acme", "msg_2"), {{"dlv_2", "ep_1", "http", "{}"}});
	auto claimed = store->claimDue(5000, 6000, 1);
	REQUIRE(claimed.size() == 1);
	Attempt ok;
	ok.at = 5001;
	ok.responseCode = 200;
	ok.responseBody = "thanks";
	store->recordAttempt(claimed[0].seq, ok, DeliveryStatus::Succeeded, 0);
	const auto before = store->stats("ep_1", 0);

	CHECK(store->archiveBefore(5000, 100) == 0);  // created at 5000: not before the cutoff
	CHECK(store->archiveBefore(5001, 100) == 1);  // only the finished one; the pending one keeps its payload
	CHECK(store->archiveBefore(5001, 100) == 0);
	auto archived = store->delivery("acme", claimed[0].id, true);
	CHECK(archived->archived);
	CHECK_FALSE(store->payload(archived->seq));
	REQUIRE(archived->attempts.size() == 1);
	CHECK_FALSE(archived->attempts[0].responseBody);
	Delivery replay;
	CHECK(store->replay("acme", claimed[0].id, "dlv_r", 7000, replay) == Store::ReplayResult::Archived);
	const auto after = store->stats("ep_1", 0);
	CHECK(after.total == before.total);
	CHECK(after.succeeded == before.succeeded);
	CHECK(after.pending == before.pending);
	CHECK(store->queueSummary().archived == 1);
	CHECK(store->queueSummary().pending == 1);
	CHECK(store->queueSummary().oldestPendingCreatedAt == 5000);
	store->reclaimSpace();
}

TEMPLATE_TEST_CASE("the oldest pending delivery is the earliest stored one that is still pending, across endpoints", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	store->createEndpoint(makeEndpoint("acme", "ep_1"), 10);
	store->createEndpoint(makeEndpoint("acme", "ep_2"), 10);
	CHECK(store->queueSummary().oldestPendingCreatedAt == 0);
	const auto event = [](const std::string& id, Millis at) {
		Event e = makeEvent("acme", id);
		e.createdAt = at;
		return e;
	};
	store->insertEvent(event("msg_1", 2000), {{"dlv_1", "ep_1", "http", "{}"}});
	store->insertEvent(event("msg_2", 3000), {{"dlv_2", "ep_2", "http", "{}"}});
	store->insertEvent(event("msg_3", 4000), {{"dlv_3", "ep_1", "http", "{}"}});
	CHECK(store->queueSummary().oldestPendingCreatedAt == 2000);
	// The oldest one succeeds: the oldest pending is another endpoint's.
	auto claimed = store->claimDue(5000, 6000, {{"ep_1", 1}});
	REQUIRE(claimed.size() == 1);
	REQUIRE(claimed[0].id == "dlv_1");
	Attempt ok;
	ok.at = 5001;
	ok.responseCode = 200;
	store->recordAttempt(claimed[0].seq, ok, DeliveryStatus::Succeeded, 0);
	CHECK(store->queueSummary().oldestPendingCreatedAt == 3000);
	claimed = store->claimDue(5002, 6000, {{"ep_2", 1}});
	REQUIRE(claimed.size() == 1);
	store->recordAttempt(claimed[0].seq, ok, DeliveryStatus::Succeeded, 0);
	CHECK(store->queueSummary().oldestPendingCreatedAt == 4000);
}

TEMPLATE_TEST_CASE("statistics since a time count only deliveries created from then on, also inside an hour", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	const Millis hour = 3600000;
	const Millis base = 1000 * hour;
	for (int i = 0; i < 6; ++i)
	{
		Event ev = makeEvent("acme", "msg_" + std::to_string(i));
		ev.createdAt = base + i * (hour / 2);  // two per hour
		store->insertEvent(ev, {{"dlv_" + std::to_string(i), "ep_1", "http", "{}"}});
	}
	CHECK(store->stats("ep_1", 0).total == 6);
	CHECK(store->stats("ep_1", base).total == 6);
	CHECK(store->stats("ep_1", base + 1).total == 5);
	CHECK(store->stats("ep_1", base + hour / 2).total == 5);
	CHECK(store->stats("ep_1", base + hour / 2 + 1).total == 4);
	CHECK(store->stats("ep_1", base + hour).total == 4);
	CHECK(store->stats("ep_1", base + 10 * hour).total == 0);
	CHECK(store->stats("ep_1", 0).pending == 6);
}

TEST_CASE("a new SQLite database is incrementally vacuumed", "[store][sqlite]")
{
	Poco::TemporaryFile dir;
	dir.createDirectories();
	SQLiteStore::Options options;
	options.path = Poco::Path(dir.path(), "v.db").toString();
	SQLiteStore store(options);
	store.close();
	Poco::Data::Session session("SQLite", options.path);
	int mode = -1;
	session << "PRAGMA auto_vacuum", Poco::Data::Keywords::into(mode), Poco::Data::Keywords::now;
	CHECK(mode == 2);
}

TEST_CASE("archived SQLite space is reused: from one retention cycle to the next the file grows only by the log rows", "[store][sqlite]")
{
	Poco::TemporaryFile dir;
	dir.createDirectories();
	SQLiteStore::Options options;
	options.path = Poco::Path(dir.path(), "cycles.db").toString();
	options.synchronous = "NORMAL";
	const int perCycle = 2000;
	const std::string payload(8192, 'p');  // what archiving deletes: payload and response body
	std::vector<Poco::Int64> peak;
	std::vector<Poco::Int64> archived;
	Millis clock = 1000000;
	int n = 0;
	for (int cycle = 0; cycle < 4; ++cycle)
	{
		{
			SQLiteStore store(options);
			if (cycle == 0) store.createAccount(makeAccount("acme"));
			for (int i = 0; i < perCycle; ++i, ++n)
			{
				Event ev = makeEvent("acme", "msg_" + std::to_string(n));
				ev.createdAt = clock++;
				store.insertEvent(ev, {{"dlv_" + std::to_string(n), "ep_1", "http", payload}});
			}
			auto claimed = store.claimDue(clock, clock + 1000, perCycle);
			REQUIRE(claimed.size() == static_cast<std::size_t>(perCycle));
			for (const auto& c : claimed)
			{
				Attempt ok;
				ok.at = clock;
				ok.responseCode = 200;
				ok.responseBody = std::string(2048, 'r');
				store.recordAttempt(c.seq, ok, DeliveryStatus::Succeeded, 0);
			}
			store.close();  // checkpoint: the main file holds everything
			SQLiteStore again(options);
			peak.push_back(static_cast<Poco::Int64>(Poco::File(options.path).getSize()));
			while (again.archiveBefore(clock + 1, 500) > 0)
			{
			}
			again.reclaimSpace();
		}
		archived.push_back(static_cast<Poco::Int64>(Poco::File(options.path).getSize()));
	}
	INFO("file at the peak of each cycle: " << peak[0] << ", " << peak[1] << ", " << peak[2] << ", " << peak[3]);
	INFO("file after archiving each cycle: " << archived[0] << ", " << archived[1] << ", " << archived[2] << ", " << archived[3]);
	const Poco::Int64 payloadBytesPerCycle = perCycle * (8192 + 2048);
	const Poco::Int64 logGrowth = archived[3] - archived[0];
	const Poco::Int64 peakGrowth = peak[3] - peak[0];
	// The archived space came back: what stays per cycle (the log rows) is a fraction of what
	// each cycle wrote, and the peak grows by that and no more.
	CHECK(logGrowth < payloadBytesPerCycle);
	CHECK(peakGrowth <= logGrowth + logGrowth / 4 + 262144);
	CHECK(peak[0] > payloadBytesPerCycle);
	SQLiteStore reopened(options);
	CHECK(reopened.stats("ep_1", 0).succeeded == 4 * perCycle);
	CHECK(reopened.queueSummary().archived == 4 * perCycle);
}

TEMPLATE_TEST_CASE("attempt records nobody waits for are committed with the next write or at close", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	{
		auto store = stores.open();
		store->createAccount(makeAccount("acme"));
		for (int i = 0; i < 50; ++i)
			store->insertEvent(makeEvent("acme", "msg_" + std::to_string(i)), {{"dlv_" + std::to_string(i), "ep_1", "http", "{}"}});
		auto claimed = store->claimDue(5000, 9000, 50);
		REQUIRE(claimed.size() == 50);
		std::vector<std::thread> workers;
		for (int t = 0; t < 5; ++t)
		{
			workers.emplace_back([&, t] {
				for (int i = t; i < 50; i += 5)
				{
					Attempt ok;
					ok.at = 5001;
					ok.responseCode = 200;
					store->recordAttempt(claimed[static_cast<std::size_t>(i)].seq, ok, DeliveryStatus::Succeeded, 0, false);
				}
			});
		}
		for (auto& w : workers) w.join();
		// A waited-for write after them sees them all committed.
		store->insertEvent(makeEvent("acme", "msg_last"), {{"dlv_last", "ep_1", "http", "{}"}});
		CHECK(store->stats("ep_1", 0).succeeded == 50);
		auto more = store->claimDue(6000, 9000, 10);
		REQUIRE(more.size() == 1);
		Attempt ok;
		ok.at = 6001;
		ok.responseCode = 204;
		store->recordAttempt(more[0].seq, ok, DeliveryStatus::Succeeded, 0, false);
	}  // close commits the last one
	auto reopened = stores.open();
	CHECK(reopened->stats("ep_1", 0).succeeded == 51);
	CHECK(reopened->delivery("acme", "dlv_last", true)->attempts.size() == 1);
}

TEMPLATE_TEST_CASE("a write that fails leaves nothing behind and undoes none of the writes committed with it", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	store->createAccount(makeAccount("acme"));
	// Eight writers at once, so that failing and succeeding writes share batches. A failing
	// write stores its event and then fails on its second delivery (the id of its first).
	const int threads = 8, perThread = 20;
	std::atomic<int> failures{0}, wrong{0};
	std::vector<std::thread> writers;
	for (int t = 0; t < threads; ++t)
		writers.emplace_back([&, t] {
			for (int i = 0; i < perThread; ++i)
			{
				const std::string n = std::to_string(t) + "_" + std::to_string(i);
				const bool fails = i % 2 == 1;
				std::vector<NewDelivery> deliveries{{"dlv_" + n, "ep_1", "http", "{}"}};
				if (fails) deliveries.push_back({"dlv_" + n, "ep_1", "http", "{}"});
				try
				{
					store->insertEvent(makeEvent("acme", "msg_" + n, "key-" + n), deliveries);
					if (fails) ++wrong;
				}
				catch (const Poco::Exception&)
				{
					if (fails) ++failures;
					else ++wrong;
				}
			}
		});
	for (auto& w : writers) w.join();
	CHECK(wrong == 0);
	CHECK(failures == threads * perThread / 2);
	int stored = 0, leftovers = 0;
	for (int t = 0; t < threads; ++t)
		for (int i = 0; i < perThread; ++i)
		{
			const std::string n = std::to_string(t) + "_" + std::to_string(i);
			const bool found = store->eventByKey("acme", "key-" + n).has_value() && store->delivery("acme", "dlv_" + n, false).has_value();
			if (i % 2 == 0 && found) ++stored;
			if (i % 2 == 1 && (store->eventByKey("acme", "key-" + n) || store->delivery("acme", "dlv_" + n, false))) ++leftovers;
		}
	CHECK(stored == threads * perThread / 2);
	CHECK(leftovers == 0);
	CHECK(store->stats("ep_1", 0).pending == threads * perThread / 2);
}

TEST_CASE("with synchronous=full a SQLite write returns only after its log is synced, and fails when that cannot be done", "[store][sqlite]")
{
	for (const std::string synchronous : {"FULL", "NORMAL"})
	{
		Poco::TemporaryFile dir;
		dir.createDirectories();
		SQLiteStore::Options options;
		options.path = Poco::Path(dir.path(), "hookgate.db").toString();
		options.synchronous = synchronous;
		SQLiteStore store(options);
		store.createAccount(makeAccount("acme"));
		// SQLite goes on writing to the log it has open; a sync has to find it by its name.
		Poco::File(options.path + "-wal").remove();
		std::string message;
		try
		{
			store.createAccount(makeAccount("other"));
		}
		catch (const StoreUnavailableException& e)
		{
			message = e.message();
		}
		if (synchronous == "FULL")
		{
			CHECK(message == "cannot open " + options.path + "-wal to sync it: No such file or directory");
			// Nothing is durable any more: every later write that waits for the disk fails too.
			CHECK_THROWS_AS(store.createAccount(makeAccount("third")), StoreUnavailableException);
		}
		else
		{
			CHECK(message.empty());  // NORMAL does not sync before answering
		}
	}
}

TEST_CASE("a second SQLite store on the same database file is refused while the first is open", "[store][sqlite]")
{
	Poco::TemporaryFile dir;
	dir.createDirectories();
	SQLiteStore::Options options;
	options.path = Poco::Path(dir.path(), "one.db").toString();
	{
		SQLiteStore first(options);
		try
		{
			SQLiteStore second(options);
			FAIL("the second store opened");
		}
		catch (const StoreUnavailableException& e)
		{
			CHECK(e.message() == "the database " + options.path + " is in use by another hookgate process (" + options.path + ".lock is locked)");
		}
	}
	SQLiteStore again(options);  // free once the first is closed
	CHECK(again.accounts().empty());
}

TEMPLATE_TEST_CASE("names, bodies and error texts keep every byte, and an id no id can be finds nothing", "[store]", SQLiteStores, PostgreSQLStores)
{
	TestType stores;
	auto store = stores.open();
	Account account = makeAccount("acme");
	account.name = std::string("N\0me \xff\xfe", 8);  // NUL and bytes that are no UTF-8
	REQUIRE(store->createAccount(account) == Store::CreateResult::Created);
	CHECK(store->account("acme")->name == account.name);
	Endpoint e = makeEndpoint("acme", "ep_1");
	e.description = std::string("d\0\xc3", 3);
	REQUIRE(store->createEndpoint(e, 10) == Store::CreateResult::Created);
	CHECK(store->endpoint("acme", "ep_1")->description == e.description);

	const std::string payload("{\"a\":\"\xff\"}");  // no NUL: JSON has none
	store->insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", payload}});
	auto claimed = store->claimDue(5000, 6000, 1);
	REQUIRE(claimed.size() == 1);
	CHECK(claimed[0].payload == payload);
	CHECK(store->payload(claimed[0].seq) == std::optional<std::string>(payload));
	Attempt attempt;
	attempt.at = 5001;
	attempt.responseCode = 500;
	attempt.error = "HTTP 500 \xe9rreur";  // a reason phrase in Latin-1
	attempt.responseBody = std::string("\x01\0\x02\xff z", 6);  // a receiver may answer with any bytes
	store->recordAttempt(claimed[0].seq, attempt, DeliveryStatus::Failed, 0);
	auto d = store->delivery("acme", "dlv_1", true);
	REQUIRE(d);
	CHECK(d->lastError == attempt.error);
	REQUIRE(d->attempts.size() == 1);
	CHECK(d->attempts[0].error == attempt.error);
	CHECK(d->attempts[0].responseBody == attempt.responseBody);

	// Ids come from the API's paths, percent-decoded: any bytes.
	const std::string bad("\xff\x00x", 3);
	CHECK_FALSE(store->account(bad));
	CHECK_FALSE(store->endpoint("acme", bad));
	CHECK(store->endpoints(bad).empty());
	CHECK_FALSE(store->delivery("acme", bad, false));
	CHECK(store->deliveries(bad, "ep_1", std::nullopt, 0, 10).empty());
	CHECK_FALSE(store->deleteEndpoint("acme", bad, 1));
	CHECK_FALSE(store->eventByKey(bad, "key"));
	CHECK(store->stats(bad, 0).total == 0);
	Delivery replay;
	CHECK(store->replay("acme", bad, "dlv_r", 7000, replay) == Store::ReplayResult::NotFound);
}

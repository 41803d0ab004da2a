// What only the PostgreSQL store does: several nodes (store objects with connections of their
// own) on one database, a server that goes away and comes back, migrations, wake-ups.
// The behaviour it shares with SQLite is tested for both in StoreTest.cpp.

#include "gateway/store/PostgreSQLConnection.h"
#include "gateway/store/PostgreSQLStore.h"

#include "PostgreSQLTestServer.h"
#include "StoreTestData.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace Hookgate;
using namespace Hookgate::Test;
using Hookgate::Test::PostgreSQLTestServer;

namespace {

PostgreSQLStore::Options optionsFor(const std::string& connection)
{
	PostgreSQLStore::Options o;
	o.connection = connection;
	return o;
}

/// Starts `n` threads that wait for one another, then run `body(i)` at the same moment;
/// rethrows the first exception of any of them once all are done.
void together(int n, const std::function<void(int)>& body)
{
	std::mutex mutex;
	std::condition_variable ready;
	int waiting = 0;
	std::exception_ptr error;
	std::vector<std::thread> threads;
	for (int i = 0; i < n; ++i)
	{
		threads.emplace_back([&, i] {
			{
				std::unique_lock<std::mutex> lock(mutex);
				if (++waiting == n) ready.notify_all();
				ready.wait(lock, [&] { return waiting == n; });
			}
			try
			{
				body(i);
			}
			catch (...)
			{
				std::lock_guard<std::mutex> lock(mutex);
				if (!error) error = std::current_exception();
			}
		});
	}
	for (auto& t : threads) t.join();
	if (error) std::rethrow_exception(error);
}

} // namespace

TEST_CASE("two nodes racing to create endpoints on a basic account leave exactly one", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	const int nodes = 4;
	std::vector<std::unique_ptr<PostgreSQLStore>> stores;
	for (int i = 0; i < nodes; ++i) stores.push_back(std::make_unique<PostgreSQLStore>(optionsFor(db)));
	for (int round = 0; round < 5; ++round)
	{
		const std::string account = "basic_" + std::to_string(round);
		stores[0]->createAccount(makeAccount(account, "basic"));
		std::vector<Store::CreateResult> results(static_cast<std::size_t>(nodes));
		together(nodes, [&](int i) {
			results[static_cast<std::size_t>(i)] =
				stores[static_cast<std::size_t>(i)]->createEndpoint(makeEndpoint(account, "ep_" + account + "_" + std::to_string(i)), 1);
		});
		CHECK(std::count(results.begin(), results.end(), Store::CreateResult::Created) == 1);
		CHECK(std::count(results.begin(), results.end(), Store::CreateResult::LimitReached) == nodes - 1);
		CHECK(stores[1]->account(account)->endpointCount == 1);
		CHECK(stores[2]->endpoints(account).size() == 1);
	}
}

TEST_CASE("nodes starting together with the same declared accounts and endpoints all start, with one of each", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	const int nodes = 4;
	std::vector<std::unique_ptr<PostgreSQLStore>> stores;
	for (int i = 0; i < nodes; ++i) stores.push_back(std::make_unique<PostgreSQLStore>(optionsFor(db)));
	std::vector<Store::CreateResult> accounts(static_cast<std::size_t>(nodes));
	std::vector<Store::CreateResult> endpoints(static_cast<std::size_t>(nodes));
	together(nodes, [&](int i) {
		auto& store = *stores[static_cast<std::size_t>(i)];
		accounts[static_cast<std::size_t>(i)] = store.createAccount(makeAccount("decl", "basic"));
		Endpoint e = makeEndpoint("decl", "ep_decl_erp");
		e.description = "from node " + std::to_string(i);
		endpoints[static_cast<std::size_t>(i)] = store.upsertEndpoint(e, 1);
	});
	CHECK(std::count(accounts.begin(), accounts.end(), Store::CreateResult::Created) == 1);
	CHECK(std::count(accounts.begin(), accounts.end(), Store::CreateResult::AlreadyExists) == nodes - 1);
	CHECK(std::count(endpoints.begin(), endpoints.end(), Store::CreateResult::Created) == nodes);
	CHECK(stores[0]->endpoints("decl").size() == 1);
	CHECK(stores[0]->account("decl")->endpointCount == 1);
}

TEST_CASE("an idempotency key sent to several nodes at once stores one event and gives every caller its result", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	const int nodes = 4;
	std::vector<std::unique_ptr<PostgreSQLStore>> stores;
	for (int i = 0; i < nodes; ++i) stores.push_back(std::make_unique<PostgreSQLStore>(optionsFor(db)));
	stores[0]->createAccount(makeAccount("acme"));
	for (int round = 0; round < 5; ++round)
	{
		const std::string key = "key-" + std::to_string(round);
		std::vector<IngestResult> results(static_cast<std::size_t>(nodes));
		together(nodes, [&](int i) {
			const std::string n = std::to_string(round) + "_" + std::to_string(i);
			results[static_cast<std::size_t>(i)] = stores[static_cast<std::size_t>(i)]->insertEvent(makeEvent("acme", "msg_" + n, key),
				{{"dlv_" + n + "_a", "ep_1", "http", "{}"}, {"dlv_" + n + "_b", "ep_2", "http", "{}"}});
		});
		const auto first = std::find_if(results.begin(), results.end(), [](const IngestResult& r) { return !r.duplicate; });
		REQUIRE(first != results.end());
		CHECK(std::count_if(results.begin(), results.end(), [](const IngestResult& r) { return r.duplicate; }) == nodes - 1);
		for (const auto& r : results)
		{
			CHECK(r.eventId == first->eventId);
			CHECK(r.deliveries == first->deliveries);
		}
		CHECK(stores[1]->eventByKey("acme", key)->eventId == first->eventId);
	}
	// Only the first event's deliveries exist: 5 rounds of 2.
	CHECK(stores[0]->stats("ep_1", 0).total == 5);
	CHECK(stores[0]->stats("ep_2", 0).total == 5);
}

TEST_CASE("replays on two nodes at once count every replay", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	PostgreSQLStore a(optionsFor(db));
	PostgreSQLStore b(optionsFor(db));
	a.createAccount(makeAccount("acme"));
	a.createEndpoint(makeEndpoint("acme", "ep_1"), 10);
	a.insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{\"same\":1}"}});
	std::atomic<int> replayed{0};  // Catch's assertions are for the test's own thread
	together(4, [&](int i) {
		PostgreSQLStore& store = i % 2 == 0 ? a : b;
		for (int k = 0; k < 10; ++k)
		{
			Delivery replay;
			if (store.replay("acme", "dlv_1", "dlv_r" + std::to_string(i) + "_" + std::to_string(k), 9000, replay) ==
				Store::ReplayResult::Replayed)
				++replayed;
		}
	});
	CHECK(replayed == 40);
	CHECK(b.delivery("acme", "dlv_1", false)->replayCount == 40);
	CHECK(a.stats("ep_1", 0).total == 41);
}

TEST_CASE("a delivery claimed by one node is not claimed by another until its lease ends", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	PostgreSQLStore a(optionsFor(db));
	PostgreSQLStore b(optionsFor(db));
	a.createAccount(makeAccount("acme"));
	for (int i = 0; i < 100; ++i)
		a.insertEvent(makeEvent("acme", "msg_" + std::to_string(i)), {{"dlv_" + std::to_string(i), "ep_1", "http", "{}"}});

	auto byA = a.claimDue(5000, 10000, 30);
	REQUIRE(byA.size() == 30);
	auto byB = b.claimDue(5000, 20000, 100);
	REQUIRE(byB.size() == 70);
	std::set<Poco::Int64> seen;
	for (const auto& c : byA) seen.insert(c.seq);
	for (const auto& c : byB) CHECK(seen.insert(c.seq).second);
	CHECK(a.claimDue(9999, 30000, 100).empty());  // all held
	CHECK(b.claimDue(9999, 30000, 100).empty());

	// A's lease ends at 10000 (A died, say): B takes its deliveries, and only those.
	auto retaken = b.claimDue(10000, 30000, 100);
	REQUIRE(retaken.size() == 30);
	for (const auto& c : retaken)
		CHECK(std::any_of(byA.begin(), byA.end(), [&](const ClaimedDelivery& d) { return d.seq == c.seq; }));

	// Releasing claims on a shared database leaves other nodes' leases alone.
	a.releaseClaims();
	CHECK(a.claimDue(10001, 40000, 100).empty());
}

TEST_CASE("nodes claiming at the same time never get the same delivery", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	const int nodes = 3;
	std::vector<std::unique_ptr<PostgreSQLStore>> stores;
	for (int i = 0; i < nodes; ++i) stores.push_back(std::make_unique<PostgreSQLStore>(optionsFor(db)));
	stores[0]->createAccount(makeAccount("acme"));
	const int total = 600;
	for (int i = 0; i < total; ++i)
		stores[0]->insertEvent(makeEvent("acme", "msg_" + std::to_string(i)), {{"dlv_" + std::to_string(i), "ep_1", "http", "{}"}});

	std::mutex mutex;
	std::multiset<Poco::Int64> claimed;
	together(nodes * 2, [&](int i) {
		PostgreSQLStore& store = *stores[static_cast<std::size_t>(i % nodes)];
		while (true)
		{
			auto batch = store.claimDue(5000, 1000000, 7);
			if (batch.empty()) break;
			std::lock_guard<std::mutex> lock(mutex);
			for (const auto& c : batch) claimed.insert(c.seq);
		}
	});
	CHECK(claimed.size() == static_cast<std::size_t>(total));
	CHECK(std::set<Poco::Int64>(claimed.begin(), claimed.end()).size() == static_cast<std::size_t>(total));
}

TEST_CASE("statistics stay exact when several nodes change deliveries at once, before and after folding", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	const int nodes = 3;
	std::vector<std::unique_ptr<PostgreSQLStore>> stores;
	for (int i = 0; i < nodes; ++i)
	{
		auto options = optionsFor(db);
		options.foldEvery = 50;  // fold often, while the others write
		stores.push_back(std::make_unique<PostgreSQLStore>(options));
	}
	stores[0]->createAccount(makeAccount("acme"));
	const int perNode = 150;
	together(nodes, [&](int i) {
		PostgreSQLStore& store = *stores[static_cast<std::size_t>(i)];
		for (int k = 0; k < perNode; ++k)
		{
			const std::string n = std::to_string(i) + "_" + std::to_string(k);
			Event ev = makeEvent("acme", "msg_" + n);
			ev.createdAt = 5000 + k * 100000;  // spread over hours
			store.insertEvent(ev, {{"dlv_" + n, "ep_1", "http", "{}"}});
		}
		while (true)
		{
			auto batch = store.claimDue(100000000, 200000000, 10);
			if (batch.empty()) break;
			for (const auto& c : batch)
			{
				Attempt a;
				a.at = 100000001;
				a.responseCode = c.seq % 3 == 0 ? 500 : 200;
				store.recordAttempt(c.seq, a, c.seq % 3 == 0 ? DeliveryStatus::Failed : DeliveryStatus::Succeeded, 0, c.seq % 2 == 0);
			}
		}
	});
	for (auto& store : stores) store->close();  // commits the attempt records nobody waited for
	PostgreSQLConnection raw(db);  // to count from the log itself
	PostgreSQLStore reader(optionsFor(db));
	auto stats = reader.stats("ep_1", 0);
	CHECK(stats.total == nodes * perNode);
	CHECK(stats.succeeded + stats.failed == nodes * perNode);
	CHECK(stats.pending == 0);
	auto after = raw.run("SELECT COUNT(*) FILTER (WHERE status = 1), COUNT(*) FILTER (WHERE status = 2) FROM deliveries");
	CHECK(stats.succeeded == after.int64(0, 0));
	CHECK(stats.failed == after.int64(0, 1));
	const Millis since = 5000 + 50 * 100000 + 1;  // inside an hour
	const auto partial = reader.stats("ep_1", since);
	const Poco::Int64 expected = raw.run("SELECT COUNT(*) FROM deliveries WHERE created_at >= $1", {since}).int64(0, 0);
	CHECK(partial.total == expected);
	CHECK(reader.queueSummary().pending == 0);

	reader.foldCounters();
	CHECK(raw.run("SELECT COUNT(*) FROM delivery_count_deltas").int64(0, 0) == 0);
	const auto folded = reader.stats("ep_1", 0);
	CHECK(folded.total == stats.total);
	CHECK(folded.succeeded == stats.succeeded);
	CHECK(folded.failed == stats.failed);
	CHECK(reader.stats("ep_1", since).total == expected);
}

TEST_CASE("nodes starting together on a new database migrate it once", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	std::atomic<int> opened{0};
	together(5, [&](int) {
		PostgreSQLStore store(optionsFor(db));
		store.accounts();
		++opened;
	});
	CHECK(opened == 5);
	PostgreSQLConnection raw(db);
	auto versions = raw.run("SELECT COUNT(*), MAX(version)::bigint FROM hookgate_schema");
	CHECK(versions.int64(0, 0) == PostgreSQLStore::schemaVersion());
	CHECK(versions.int64(0, 1) == PostgreSQLStore::schemaVersion());
}

TEST_CASE("a database of a newer schema than the build understands is refused", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	{
		PostgreSQLStore store(optionsFor(db));
	}
	PostgreSQLConnection raw(db);
	raw.run("INSERT INTO hookgate_schema (version) VALUES ($1)", {PostgreSQLStore::schemaVersion() + 1});
	try
	{
		PostgreSQLStore store(optionsFor(db));
		FAIL("the store opened");
	}
	catch (const Poco::Data::DataException& e)
	{
		CHECK(e.message() == "database schema version " + std::to_string(PostgreSQLStore::schemaVersion() + 1) +
			" is newer than this hookgate understands (" + std::to_string(PostgreSQLStore::schemaVersion()) + ")");
	}
}

TEST_CASE("while the PostgreSQL server is down the store is unavailable, and it reconnects when the server is back", "[store][postgresql]")
{
	PostgreSQLTestServer server;  // its own: this test stops it
	const std::string db = server.createDatabase();
	PostgreSQLStore store(optionsFor(db));
	store.createAccount(makeAccount("acme"));
	REQUIRE(store.account("acme"));

	server.stop();
	CHECK_THROWS_AS(store.account("acme"), StoreUnavailableException);
	CHECK_THROWS_AS(store.createAccount(makeAccount("other")), StoreUnavailableException);
	CHECK_THROWS_AS(store.insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}}), StoreUnavailableException);
	CHECK_THROWS_AS(PostgreSQLStore(optionsFor(db)), StoreUnavailableException);

	server.start();
	REQUIRE(store.account("acme"));
	CHECK(store.createAccount(makeAccount("other")) == Store::CreateResult::Created);
	CHECK_FALSE(store.insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}}).duplicate);
	CHECK(store.claimDue(5000, 6000, 10).size() == 1);
}

TEST_CASE("a delivery ingested on one node wakes the others", "[store][postgresql]")
{
	const std::string db = PostgreSQLTestServer::shared().createDatabase();
	PostgreSQLStore ingesting(optionsFor(db));
	PostgreSQLStore waiting(optionsFor(db));
	std::mutex mutex;
	std::condition_variable woken;
	int wakeUps = 0;
	waiting.listen([&] {
		std::lock_guard<std::mutex> lock(mutex);
		++wakeUps;
		woken.notify_all();
	});
	auto waitFor = [&](int n) {
		std::unique_lock<std::mutex> lock(mutex);
		return woken.wait_for(lock, std::chrono::seconds(30), [&] { return wakeUps >= n; });
	};
	REQUIRE(waitFor(1));  // once on connecting: one may have been missed before
	ingesting.createAccount(makeAccount("acme"));
	ingesting.createEndpoint(makeEndpoint("acme", "ep_1"), 10);
	ingesting.insertEvent(makeEvent("acme", "msg_1"), {{"dlv_1", "ep_1", "http", "{}"}});
	CHECK(waitFor(2));
	Delivery replay;
	REQUIRE(ingesting.replay("acme", "dlv_1", "dlv_r", 6000, replay) == Store::ReplayResult::Replayed);
	CHECK(waitFor(3));
	waiting.listen(nullptr);
}

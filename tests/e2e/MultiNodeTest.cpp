// Several gateways ("nodes") on one PostgreSQL database: work is shared without sending
// anything twice, a node killed with SIGKILL loses nothing and its leases are taken over,
// the plan limit holds across nodes, and a delivery ingested on one node wakes the others.
// PostgreSQL only ([postgresql]): each test makes its own database and gives every node
// its connection.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "../fixtures/ExceptionText.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "PrometheusText.h"
#include "Receiver.h"
#include "Steps.h"
#include "TestDatabase.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/Timestamp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace Hookgate::Test;

namespace {

const std::string EVENTS_PATH = "/api/v1/accounts/acme/events";

/// A node's properties: the shared database, then the test's own.
GatewayProcess::Properties nodeProperties(const TestDatabase& database, const GatewayProcess::Properties& more = {})
{
	GatewayProcess::Properties p{
		{"hookgate.store.type", "postgresql"},
		{"hookgate.store.postgresql.connection", database.connection()},
	};
	for (const auto& property: more) p[property.first] = property.second;
	return p;
}

/// Successful HTTP attempts this node made since it started (its /metrics).
double succeededAttempts(const GatewayProcess& node)
{
	const ApiResponse response = ApiClient(node.port(), GatewayProcess::ADMIN_TOKEN).get("/metrics");
	REQUIRE(response.status == 200);
	const PrometheusText metrics = PrometheusText::parse(response.body);
	const auto value = metrics.value("hookgate_attempts_total", {{"transport", "http"}, {"result", "succeeded"}});
	REQUIRE(value);
	return *value;
}

Poco::Int64 scalar(const TestDatabase& database, const std::string& sql)
{
	const auto rows = database.query(sql);
	REQUIRE(rows.size() == 1);
	REQUIRE(rows[0].size() == 1);
	return std::stoll(rows[0][0]);
}

Poco::Int64 nowMs()
{
	return Poco::Timestamp().epochMicroseconds() / 1000;
}

/// Events acknowledged (202) so far, by any poster thread.
class Acknowledged
{
public:
	void add(const std::string& id)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_ids.insert(id);
	}
	void fail(const std::string& what)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_failures.size() < 5) _failures.push_back(what);
		++_failureCount;
	}
	std::set<std::string> ids() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _ids;
	}
	std::size_t size() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _ids.size();
	}
	std::size_t failureCount() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _failureCount;
	}
	std::string failures() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::string text;
		for (const auto& f: _failures) text += f + "\n";
		return text;
	}

private:
	mutable std::mutex _mutex;
	std::set<std::string> _ids;
	std::vector<std::string> _failures;
	std::size_t _failureCount = 0;
};

/// Posts `count` events to the node on `port`, one connection per request; records each 202.
/// Stops early when `stop` is set or (with stopOnError) at the first request that fails.
void postEvents(Poco::UInt16 port, int first, int count, Acknowledged& acknowledged, const std::atomic<bool>& stop, bool stopOnError)
{
	ApiClient api(port, GatewayProcess::ADMIN_TOKEN);
	for (int i = first; i < first + count && !stop; ++i)
	{
		try
		{
			const ApiResponse response = api.post(EVENTS_PATH,
				R"({"type":"appointment.booking.created","data":{"n":)" + std::to_string(i) + "}}");
			if (response.status == 202 && response.json && Steps::stringOf(response.json, "id").rfind("msg_", 0) == 0)
				acknowledged.add(Steps::stringOf(response.json, "id"));
			else
				acknowledged.fail("event #" + std::to_string(i) + " -> " + response.describe());
		}
		catch (const std::exception& e)
		{
			if (stopOnError) return;
			acknowledged.fail("event #" + std::to_string(i) + ": " + exceptionText(e));
		}
	}
}

/// webhook-id -> arrival times at the receiver.
std::map<std::string, std::vector<Poco::Int64>> arrivals(const Receiver& receiver)
{
	std::map<std::string, std::vector<Poco::Int64>> out;
	for (const RecordedRequest& request: receiver.requests())
		out[request.headers.get("webhook-id", "")].push_back(request.arrivedAt.epochMicroseconds() / 1000);
	return out;
}

std::vector<std::string> missingOf(const std::set<std::string>& expected, const Receiver& receiver)
{
	const auto arrived = arrivals(receiver);
	std::vector<std::string> missing;
	for (const auto& id: expected)
		if (!arrived.count(id)) missing.push_back(id);
	return missing;
}

} // namespace

TEST_CASE("Three nodes on one database deliver 3,000 events spread over them, every one exactly once", "[e2e][postgresql][multinode]")
{
	static const int NODES = 3;
	static const int EVENTS = 3000;
	TestDatabase database;
	Receiver receiver;
	receiver.start();
	// A timeout no attempt reaches even on a loaded machine (and a lease longer than three of
	// them): a timed-out attempt that the receiver did get would be sent again, which is
	// at-least-once, not what this test is about.
	std::vector<std::unique_ptr<GatewayProcess>> nodes;
	for (int n = 0; n < NODES; ++n)
	{
		nodes.emplace_back(new GatewayProcess(nodeProperties(database,
			{{"hookgate.delivery.timeout", "60s"}, {"hookgate.delivery.leaseTime", "5m"}})));
		nodes.back()->start(Poco::Timespan(60, 0));
	}
	ApiClient api(nodes[0]->port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});

	// Four posters per node, all at once.
	Acknowledged acknowledged;
	std::atomic<bool> stop{false};
	std::vector<std::thread> posters;
	const int perPoster = EVENTS / (NODES * 4);
	for (int p = 0; p < NODES * 4; ++p)
	{
		const Poco::UInt16 port = nodes[static_cast<std::size_t>(p % NODES)]->port();
		posters.emplace_back([&, port, p] { postEvents(port, p * perPoster, perPoster, acknowledged, stop, false); });
	}
	for (auto& poster: posters) poster.join();
	INFO(acknowledged.failureCount() << " posts failed, e.g.\n" << acknowledged.failures());
	REQUIRE(acknowledged.failureCount() == 0);
	const std::set<std::string> ids = acknowledged.ids();
	REQUIRE(ids.size() == static_cast<std::size_t>(EVENTS));

	const bool allArrived = waitUntil([&] { return missingOf(ids, receiver).empty(); },
		Poco::Timespan(300, 0), Poco::Timespan(0, 200000));
	const auto missing = missingOf(ids, receiver);
	INFO(missing.size() << " of " << EVENTS << " events never arrived, e.g. " << (missing.empty() ? "-" : missing.front()));
	REQUIRE(allArrived);

	// Once the store says every delivery succeeded, nothing more can be sent: count what came.
	const bool allRecorded = waitUntil([&] {
		return scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status = 1") == EVENTS;
	}, Poco::Timespan(60, 0), Poco::Timespan(0, 200000));
	CHECK(allRecorded);
	CHECK(scalar(database, "SELECT COUNT(*) FROM deliveries") == EVENTS);
	CHECK(scalar(database, "SELECT COUNT(*) FROM attempts") == EVENTS);

	const auto arrived = arrivals(receiver);
	std::vector<std::string> twice;
	for (const auto& a: arrived)
		if (a.second.size() > 1) twice.push_back(a.first);
	INFO(twice.size() << " events arrived more than once, e.g. " << (twice.empty() ? "-" : twice.front()));
	CHECK(twice.empty());
	CHECK(receiver.count() == static_cast<std::size_t>(EVENTS));
	CHECK(arrived.size() == static_cast<std::size_t>(EVENTS));

	// Each node sent its share, and together exactly one request per event.
	double total = 0;
	std::string shares;
	std::vector<double> sent;
	for (const auto& node: nodes)
	{
		sent.push_back(succeededAttempts(*node));
		total += sent.back();
		shares += std::to_string(static_cast<long long>(sent.back())) + " ";
	}
	INFO("deliveries sent by each node: " << shares);
	WARN("deliveries sent by each node: " << shares);
	CHECK(total == EVENTS);
	for (double s: sent) CHECK(s > 0);
}

TEST_CASE("A node killed with SIGKILL mid-run loses no acknowledged event and its leases are taken over when they end", "[e2e][postgresql][multinode]")
{
	// The survivors lease for 4 s, the node that is killed for 8 s: a delivery leased beyond
	// (the moment after the kill + 4 s) can only be one the killed node held.
	static const Poco::Int64 SURVIVOR_LEASE_MS = 4000;
	static const Poco::Int64 KILLED_LEASE_MS = 8000;
	static const int EVENTS_PER_POSTER = 250;
	TestDatabase database;
	Receiver receiver;
	receiver.start();
	// A slow receiver: every node keeps deliveries claimed (8 workers x 100 ms: 80 a second
	// a node, less than the posters' rate, so a backlog builds up).
	receiver.setDelay(Poco::Timespan(0, 100000));

	// Retries enough for the attempts a loaded machine may time out.
	const GatewayProcess::Properties common{{"hookgate.delivery.timeout", "2s"},
		{"hookgate.delivery.retrySchedule", "100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms"}};
	auto with = [&](Poco::Int64 leaseMs) {
		GatewayProcess::Properties p = nodeProperties(database, common);
		p["hookgate.delivery.leaseTime"] = std::to_string(leaseMs) + "ms";
		return p;
	};
	GatewayProcess a(with(SURVIVOR_LEASE_MS));
	GatewayProcess b(with(SURVIVOR_LEASE_MS));
	GatewayProcess killed(with(KILLED_LEASE_MS));
	for (GatewayProcess* node: {&a, &b, &killed}) node->start(Poco::Timespan(60, 0));
	ApiClient api(a.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});

	// Two posters per node; the killed node's posters stop when it is gone.
	Acknowledged acknowledged;
	std::atomic<bool> stop{false};
	std::vector<std::thread> posters;
	int first = 0;
	for (GatewayProcess* node: {&a, &b, &killed, &a, &b, &killed})
	{
		const Poco::UInt16 port = node->port();
		const bool isKilled = node == &killed;
		posters.emplace_back([&, port, first, isKilled] { postEvents(port, first, EVENTS_PER_POSTER, acknowledged, stop, isKilled); });
		first += EVENTS_PER_POSTER;
	}
	struct JoinAll
	{
		std::vector<std::thread>& threads;
		std::atomic<bool>& stop;
		~JoinAll()
		{
			stop = true;
			for (auto& t: threads)
				if (t.joinable()) t.join();
		}
	} joinAll{posters, stop};

	// Mid-run: a fifth of the events acknowledged, some delivered, and the node to be killed
	// holding deliveries (leased beyond what a survivor can lease).
	const bool midRun = waitUntil([&] {
		return acknowledged.size() >= 300 && receiver.count() >= 50 &&
			scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status = 0 AND claimed_until > " +
				std::to_string(nowMs() + SURVIVOR_LEASE_MS)) > 0;
	}, Poco::Timespan(120, 0), Poco::Timespan(0, 20000));
	INFO(acknowledged.size() << " acknowledged, " << receiver.count() << " received before the kill");
	REQUIRE(midRun);
	killed.kill9();
	const Poco::Int64 killedAt = nowMs();

	// What the killed node held: deliveries still pending and leased beyond what a survivor
	// can lease from now on.
	std::map<std::string, Poco::Int64> held;  // event id -> end of the lease
	const auto rows = database.query("SELECT event_id, claimed_until FROM deliveries WHERE status = 0 AND claimed_until > 0");
	const Poco::Int64 snapshotAt = nowMs();
	for (const auto& row: rows)
	{
		const Poco::Int64 until = std::stoll(row[1]);
		if (until > snapshotAt + SURVIVOR_LEASE_MS) held[row[0]] = until;
	}
	INFO(held.size() << " deliveries leased by the killed node at the kill");
	REQUIRE(!held.empty());

	for (auto& poster: posters) poster.join();
	INFO(acknowledged.failureCount() << " posts to the survivors failed, e.g.\n" << acknowledged.failures());
	REQUIRE(acknowledged.failureCount() == 0);
	const std::set<std::string> ids = acknowledged.ids();
	INFO(ids.size() << " events acknowledged");

	// Every acknowledged event arrives at least once.
	const bool allArrived = waitUntil([&] { return missingOf(ids, receiver).empty(); },
		Poco::Timespan(300, 0), Poco::Timespan(0, 200000));
	const auto missing = missingOf(ids, receiver);
	INFO(missing.size() << " acknowledged events never arrived, e.g. " << (missing.empty() ? "-" : missing.front()));
	CHECK(allArrived);

	// The killed node's deliveries were sent again by a survivor once their lease ended, and
	// not before: the last arrival of each is after its lease and within a margin of it.
	const auto arrived = arrivals(receiver);
	Poco::Int64 lastTakeover = 0;
	for (const auto& h: held)
	{
		INFO("delivery of event " << h.first << " leased until " << h.second - killedAt << " ms after the kill");
		const auto it = arrived.find(h.first);
		REQUIRE(it != arrived.end());
		const Poco::Int64 last = *std::max_element(it->second.begin(), it->second.end());
		INFO("last arrival " << last - killedAt << " ms after the kill");
		CHECK(last >= h.second - 50);  // clocks read in whole ms by two processes
		CHECK(last <= h.second + 15000);
		lastTakeover = std::max(lastTakeover, last);
	}
	INFO("the last delivery the killed node held arrived " << lastTakeover - killedAt << " ms after the kill (its lease: "
		<< KILLED_LEASE_MS << " ms)");
	CHECK(lastTakeover - killedAt <= KILLED_LEASE_MS + 15000);
	WARN(ids.size() << " events acknowledged; the killed node held " << held.size() << " deliveries, leased until at most "
		<< std::max_element(held.begin(), held.end(), [](const auto& x, const auto& y) { return x.second < y.second; })->second - killedAt
		<< " ms after the kill; the last of them arrived " << lastTakeover - killedAt << " ms after the kill");

	// In the end every delivery succeeded: also those of events the killed node committed but
	// could not acknowledge any more.
	const bool allSucceeded = waitUntil([&] {
		return scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status <> 1") == 0;
	}, Poco::Timespan(60, 0), Poco::Timespan(0, 200000));
	CHECK(allSucceeded);
	CHECK(scalar(database, "SELECT COUNT(*) FROM deliveries") >= static_cast<Poco::Int64>(ids.size()));
}

TEST_CASE("Two nodes racing to create endpoints on a basic account leave exactly one", "[e2e][postgresql][multinode]")
{
	TestDatabase database;
	Receiver receiver;
	receiver.start();
	GatewayProcess first(nodeProperties(database));
	GatewayProcess second(nodeProperties(database));
	first.start(Poco::Timespan(60, 0));
	second.start(Poco::Timespan(60, 0));
	ApiClient api(first.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "basic");

	// Twenty creates, half to each node, released together.
	const std::string createdId = AccountSteps::raceEndpointCreates({first.port(), second.port()}, "acme", receiver.url("/race/"), 20, "basic");
	// Both nodes see the one endpoint.
	for (GatewayProcess* node: {&first, &second})
	{
		ApiClient client(node->port(), GatewayProcess::ADMIN_TOKEN);
		CHECK(AccountSteps::endpointIds(client, "acme") == std::vector<std::string>{createdId});
		CHECK(Steps::intOf(AccountSteps::getAccount(client, "acme"), "endpointCount") == 1);
	}
	CHECK(scalar(database, "SELECT COUNT(*) FROM endpoints WHERE account_id = 'acme' AND deleted_at = 0") == 1);
}

TEST_CASE("An event posted to a node that cannot send it is sent at once by another node, woken by the database", "[e2e][postgresql][multinode]")
{
	// Both nodes poll only every minute: without a wake-up across nodes the event would wait
	// that long. The receiving node has one worker, stuck on a receiver that holds its request:
	// it claims nothing it cannot start, so it cannot take the new one.
	TestDatabase database;
	LogSteps::Gate gate;
	Receiver holding(gate.holder(Poco::Timespan(120, 0)));
	holding.start();
	Receiver receiver;
	receiver.start();
	const GatewayProcess::Properties slowPoll{{"hookgate.delivery.pollInterval", "60s"}, {"hookgate.delivery.timeout", "90s"},
		{"hookgate.delivery.leaseTime", "5m"}};
	GatewayProcess busy(nodeProperties(database, slowPoll));
	busy.setProperty("hookgate.delivery.workers", "1");
	GatewayProcess idle(nodeProperties(database, slowPoll));
	LogSteps::GateOpener openAtEnd(gate);
	busy.start(Poco::Timespan(60, 0));
	ApiClient api(busy.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "professional");
	Steps::createEndpoint(api, "acme", holding.url("/holding"), {"customer.created"});
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.updated"});

	// The busy node (alone so far) takes one of the held deliveries into its worker, and no
	// more: it has no worker for them.
	for (int i = 0; i < 3; ++i) Steps::postEvent(api, "acme", "customer.created", "{\"n\":" + std::to_string(i) + "}");
	REQUIRE(gate.waitArrived(Poco::Timespan(30, 0)));
	const bool oneClaimed = waitUntil([&] {
		return scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status = 0 AND claimed_until > " + std::to_string(nowMs())) == 1;
	}, Poco::Timespan(30, 0));
	REQUIRE(oneClaimed);

	idle.start(Poco::Timespan(60, 0));
	const Poco::Timestamp posted;
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.updated", "{\"n\":\"wake\"}");
	REQUIRE(event.status == 202);
	REQUIRE(event.deliveryIds.size() == 1);

	// Well under the poll interval of a minute.
	const bool arrived = receiver.waitForCount(1, Poco::Timespan(15, 0));
	INFO("arrived " << posted.elapsed() / 1000 << " ms after the post");
	WARN("arrived " << posted.elapsed() / 1000 << " ms after the post");
	REQUIRE(arrived);
	CHECK(receiver.requests()[0].headers.get("webhook-id", "") == event.id);
	// Sent by the other node: the busy one has not finished a single attempt (its worker is
	// still held), the idle one made exactly this one.
	const bool counted = waitUntil([&] { return succeededAttempts(idle) == 1; }, Poco::Timespan(10, 0));
	CHECK(counted);
	CHECK(succeededAttempts(busy) == 0);
	const bool recorded = waitUntil([&] {
		return scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status = 1 AND id = '" + event.deliveryIds[0] + "'") == 1;
	}, Poco::Timespan(10, 0));
	CHECK(recorded);
	CHECK(scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status = 0") == 3);
}

TEST_CASE("A node stopped cleanly hands back the deliveries it had claimed and another node sends them at once", "[e2e][postgresql][multinode]")
{
	// The stopping node has one worker, held by a receiver for the whole attempt timeout, and
	// two more deliveries claimed ahead for a receiver that answers at once (known to be quick
	// from a first delivery: only a quick endpoint's deliveries are claimed ahead of the
	// workers). Their lease is five minutes: only the hand-back at the stop lets the other node
	// send them sooner.
	TestDatabase database;
	LogSteps::Gate gate;
	Receiver holding(gate.holder(Poco::Timespan(120, 0)));
	holding.start();
	Receiver receiver;
	receiver.start();
	const GatewayProcess::Properties longLease{{"hookgate.delivery.timeout", "10s"}, {"hookgate.delivery.leaseTime", "5m"},
		{"hookgate.delivery.retrySchedule", "1h"}};
	GatewayProcess stopping(nodeProperties(database, longLease));
	stopping.setProperty("hookgate.delivery.workers", "1");
	GatewayProcess other(nodeProperties(database, longLease));
	LogSteps::GateOpener openAtEnd(gate);
	stopping.start(Poco::Timespan(60, 0));
	ApiClient api(stopping.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "professional");
	Steps::createEndpoint(api, "acme", holding.url("/holding"), {"customer.created"});
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.updated"});

	Steps::postEvent(api, "acme", "customer.updated", "{\"n\":\"first\"}");
	REQUIRE(receiver.waitForCount(1, Poco::Timespan(30, 0)));
	const bool firstRecorded = waitUntil([&] { return succeededAttempts(stopping) == 1; }, Poco::Timespan(10, 0));
	REQUIRE(firstRecorded);
	Steps::postEvent(api, "acme", "customer.created", "{\"n\":0}");
	REQUIRE(gate.waitArrived(Poco::Timespan(30, 0)));
	std::set<std::string> queued;
	for (int i = 1; i <= 2; ++i) queued.insert(Steps::postEvent(api, "acme", "customer.updated", "{\"n\":" + std::to_string(i) + "}").id);
	const bool allClaimed = waitUntil([&] {
		return scalar(database, "SELECT COUNT(*) FROM deliveries WHERE status = 0 AND claimed_until > " + std::to_string(nowMs())) == 3;
	}, Poco::Timespan(30, 0));
	REQUIRE(allClaimed);
	other.start(Poco::Timespan(60, 0));

	// SIGTERM: the attempt in flight ends with its timeout, the two claimed ones are handed back.
	const Poco::Timestamp stopped;
	CHECK(stopping.terminate(Poco::Timespan(60, 0)) == 0);
	INFO(stopping.logTail(4000));
	CHECK(stopping.log().find("handed back 2 claimed deliveries") != std::string::npos);
	const bool arrived = receiver.waitForCount(3, Poco::Timespan(30, 0));
	INFO("arrived " << stopped.elapsed() / 1000 << " ms after the SIGTERM");
	REQUIRE(arrived);
	std::set<std::string> ids;
	const auto requests = receiver.requests();
	for (std::size_t i = 1; i < requests.size(); ++i) ids.insert(requests[i].headers.get("webhook-id", ""));
	CHECK(ids == queued);
	CHECK(succeededAttempts(other) == 2);
}

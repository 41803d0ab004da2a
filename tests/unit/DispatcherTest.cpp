#include "FakeClock.h"

#include "gateway/delivery/Dispatcher.h"
#include "gateway/core/SystemClock.h"
#include "gateway/store/SQLiteStore.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

using namespace Hookgate;
using Hookgate::Test::FakeClock;

namespace {

/// A scripted transport: answers from a list of outcomes and records what it was given.
class ScriptedTransport : public Transport
{
public:
	explicit ScriptedTransport(std::deque<DeliveryOutcome> script = {}): _script(std::move(script)) {}

	DeliveryOutcome deliver(const DeliveryRequest& request) override
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_requests.push_back(request);
		_arrived.notify_all();
		if (_script.empty()) return outcome(DeliveryOutcome::Kind::Succeeded, 200);
		auto o = _script.front();
		_script.pop_front();
		return o;
	}

	static DeliveryOutcome outcome(DeliveryOutcome::Kind kind, int code, const std::string& error = "")
	{
		DeliveryOutcome o;
		o.kind = kind;
		o.responseCode = code;
		o.error = error;
		return o;
	}

	std::vector<DeliveryRequest> requests()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _requests;
	}

	bool waitFor(std::size_t count, std::chrono::milliseconds deadline)
	{
		std::unique_lock<std::mutex> lock(_mutex);
		return _arrived.wait_for(lock, deadline, [&] { return _requests.size() >= count; });
	}

private:
	std::mutex _mutex;
	std::condition_variable _arrived;
	std::deque<DeliveryOutcome> _script;
	std::vector<DeliveryRequest> _requests;
};

struct Fixture
{
	Fixture()
	{
		SQLiteStore::Options o;
		o.path = ":memory:";
		store = std::make_unique<SQLiteStore>(o);
		Account a;
		a.id = "acme";
		a.name = "ACME";
		a.plan = "enterprise";
		a.webhooksEnabled = true;
		store->createAccount(a);
		Endpoint e;
		e.id = "ep_1";
		e.accountId = "acme";
		e.url = "http://127.0.0.1:9/hook";
		e.eventTypes = {"*"};
		e.authHeader = AuthHeader{"Ocp-Apim-Subscription-Key", "s3cr3t"};
		e.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
		store->createEndpoint(e, 10);
	}

	void ingest(const std::string& eventId, const std::string& deliveryId, Millis at)
	{
		Event ev;
		ev.id = eventId;
		ev.accountId = "acme";
		ev.type = "customer.created";
		ev.createdAt = at;
		store->insertEvent(ev, {{deliveryId, "ep_1", "http", "{\"test\": 2432232314}"}});
	}

	std::unique_ptr<SQLiteStore> store;
	EmailTemplates templates;
};

Dispatcher::Options options()
{
	Dispatcher::Options o;
	o.workers = 2;
	o.timeout = Poco::Timespan(1, 0);
	o.pollInterval = Poco::Timespan(0, 50000);
	o.leaseTime = Poco::Timespan(5, 0);
	return o;
}

/// Claims what is due now and processes it, as the scheduler and a worker would.
int runDue(Dispatcher& dispatcher, Store& store, const Clock& clock)
{
	auto claimed = store.claimDue(clock.now(), clock.now() + 5000, 100);
	for (const auto& c : claimed) dispatcher.process(c);
	return static_cast<int>(claimed.size());
}

} // namespace

TEST_CASE("a delivery failing twice then accepted ends succeeded after three attempts on the schedule", "[dispatcher]")
{
	Fixture f;
	FakeClock clock;
	f.ingest("msg_1", "dlv_1", clock.now());
	ScriptedTransport transport({ScriptedTransport::outcome(DeliveryOutcome::Kind::Transient, 500, "HTTP 500"),
		ScriptedTransport::outcome(DeliveryOutcome::Kind::Transient, 0, "connection refused"),
		ScriptedTransport::outcome(DeliveryOutcome::Kind::Succeeded, 204)});
	RetryPolicy retry({Poco::Timespan(5, 0), Poco::Timespan(300, 0)}, 0.0, Poco::Timespan(3600, 0));
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, options(), Poco::Logger::get("test"));

	CHECK(runDue(dispatcher, *f.store, clock) == 1);
	auto d = f.store->delivery("acme", "dlv_1", false);
	CHECK(d->status == DeliveryStatus::Pending);
	CHECK(d->nextAttemptAt == clock.now() + 5000);

	clock.advance(4999);
	CHECK(runDue(dispatcher, *f.store, clock) == 0);
	clock.advance(1);
	CHECK(runDue(dispatcher, *f.store, clock) == 1);
	d = f.store->delivery("acme", "dlv_1", false);
	CHECK(d->nextAttemptAt == clock.now() + 300000);
	CHECK(d->responseCode == 0);

	clock.advance(300000);
	CHECK(runDue(dispatcher, *f.store, clock) == 1);
	d = f.store->delivery("acme", "dlv_1", true);
	CHECK(d->status == DeliveryStatus::Succeeded);
	CHECK(d->attemptCount == 3);
	CHECK(d->responseCode == 204);
	REQUIRE(d->attempts.size() == 3);
	CHECK(d->attempts[0].responseCode == 500);
	CHECK(d->attempts[1].error == "connection refused");
	CHECK(d->attempts[2].responseCode == 204);
	CHECK(transport.requests().size() == 3);
}

TEST_CASE("a delivery that always fails ends failed after the last delay of the schedule", "[dispatcher]")
{
	Fixture f;
	FakeClock clock;
	f.ingest("msg_1", "dlv_1", clock.now());
	std::deque<DeliveryOutcome> failures(10, ScriptedTransport::outcome(DeliveryOutcome::Kind::Transient, 503, "HTTP 503"));
	ScriptedTransport transport(failures);
	RetryPolicy retry({Poco::Timespan(1, 0), Poco::Timespan(2, 0)}, 0.0, Poco::Timespan(3600, 0));
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, options(), Poco::Logger::get("test"));

	CHECK(runDue(dispatcher, *f.store, clock) == 1);
	clock.advance(1000);
	CHECK(runDue(dispatcher, *f.store, clock) == 1);
	clock.advance(2000);
	CHECK(runDue(dispatcher, *f.store, clock) == 1);
	clock.advance(3600000);
	CHECK(runDue(dispatcher, *f.store, clock) == 0);
	auto d = f.store->delivery("acme", "dlv_1", true);
	CHECK(d->status == DeliveryStatus::Failed);
	CHECK(d->attemptCount == 3);
	CHECK(d->nextAttemptAt == 0);
	CHECK(d->lastError == "HTTP 503");
}

TEST_CASE("a permanent failure is not retried and Retry-After replaces the scheduled delay", "[dispatcher]")
{
	Fixture f;
	FakeClock clock;
	f.ingest("msg_1", "dlv_1", clock.now());
	f.ingest("msg_2", "dlv_2", clock.now());
	auto throttled = ScriptedTransport::outcome(DeliveryOutcome::Kind::Transient, 429, "HTTP 429");
	throttled.retryAfter = Poco::Timespan(7200, 0);
	ScriptedTransport transport({ScriptedTransport::outcome(DeliveryOutcome::Kind::Permanent, 0, "private destination"), throttled});
	RetryPolicy retry({Poco::Timespan(5, 0)}, 0.0, Poco::Timespan(3600, 0));
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, options(), Poco::Logger::get("test"));

	CHECK(runDue(dispatcher, *f.store, clock) == 2);
	auto first = f.store->delivery("acme", "dlv_1", false);
	CHECK(first->status == DeliveryStatus::Failed);
	CHECK(first->attemptCount == 1);
	auto second = f.store->delivery("acme", "dlv_2", false);
	CHECK(second->status == DeliveryStatus::Pending);
	CHECK(second->nextAttemptAt == clock.now() + 3600000);  // 2 h asked, capped at 1 h
}

TEST_CASE("the request carries the Standard Webhooks headers and the endpoint's auth header", "[dispatcher]")
{
	Fixture f;
	FakeClock clock(1614265330000LL);
	f.ingest("msg_p5jXN8AQM9LWM0D4loKWxJek", "dlv_1", clock.now());
	ScriptedTransport transport;
	RetryPolicy retry({}, 0.0, Poco::Timespan(3600, 0));
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, options(), Poco::Logger::get("test"));
	REQUIRE(runDue(dispatcher, *f.store, clock) == 1);
	auto requests = transport.requests();
	REQUIRE(requests.size() == 1);
	const auto& r = requests[0];
	CHECK(r.target == "http://127.0.0.1:9/hook");
	CHECK(r.body == "{\"test\": 2432232314}");
	using Header = std::pair<std::string, std::string>;
	CHECK(r.headers == std::vector<Header>{{"webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"}, {"webhook-timestamp", "1614265330"},
		{"webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}, {"Ocp-Apim-Subscription-Key", "s3cr3t"}});
}

TEST_CASE("after a secret rotation both the new and the previous secret sign until the overlap ends", "[dispatcher]")
{
	Fixture f;
	FakeClock clock(1614265330000LL);
	auto e = *f.store->endpoint("acme", "ep_1");
	e.previousSecret = e.secret;
	e.previousSecretUntil = clock.now() + 1000;
	e.secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
	f.store->updateEndpoint(e);
	f.ingest("msg_p5jXN8AQM9LWM0D4loKWxJek", "dlv_1", clock.now());
	ScriptedTransport transport;
	RetryPolicy retry({}, 0.0, Poco::Timespan(3600, 0));
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, options(), Poco::Logger::get("test"));
	REQUIRE(runDue(dispatcher, *f.store, clock) == 1);
	const auto headers = transport.requests().at(0).headers;
	REQUIRE(headers.size() >= 3);
	const std::string signature = headers[2].second;
	CHECK(signature.find("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != std::string::npos);
	CHECK(signature.find(' ') != std::string::npos);
	CHECK(signature.size() == 2 * std::string("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=").size() + 1);
}

TEST_CASE("a delivery whose endpoint was deleted is cancelled without a request", "[dispatcher]")
{
	Fixture f;
	FakeClock clock;
	f.ingest("msg_1", "dlv_1", clock.now());
	auto claimed = f.store->claimDue(clock.now(), clock.now() + 5000, 10);
	REQUIRE(claimed.size() == 1);
	f.store->deleteEndpoint("acme", "ep_1", clock.now());
	ScriptedTransport transport;
	RetryPolicy retry({}, 0.0, Poco::Timespan(3600, 0));
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, options(), Poco::Logger::get("test"));
	dispatcher.process(claimed[0]);
	CHECK(transport.requests().empty());
	auto d = f.store->delivery("acme", "dlv_1", false);
	CHECK(d->status == DeliveryStatus::Failed);
	CHECK(d->lastError == "endpoint deleted");
}

TEST_CASE("the running dispatcher is woken by new work instead of waiting for its poll interval", "[dispatcher]")
{
	Fixture f;
	SystemClock clock;
	ScriptedTransport transport;
	RetryPolicy retry({}, 0.0, Poco::Timespan(3600, 0));
	auto o = options();
	o.pollInterval = Poco::Timespan(3600, 0);  // only a wake-up can deliver in time
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, o, Poco::Logger::get("test"));
	dispatcher.start();
	// The first delivery is found by the first look; after it the scheduler idles for an hour.
	f.ingest("msg_1", "dlv_1", clock.now());
	dispatcher.wake();
	REQUIRE(transport.waitFor(1, std::chrono::seconds(20)));
	f.ingest("msg_2", "dlv_2", clock.now());
	dispatcher.wake();
	CHECK(transport.waitFor(2, std::chrono::seconds(20)));
	dispatcher.stop();
	CHECK(transport.requests().size() == 2);
}

TEST_CASE("a retry due sooner than the scheduler's next look wakes it", "[dispatcher]")
{
	Fixture f;
	SystemClock clock;
	ScriptedTransport transport({ScriptedTransport::outcome(DeliveryOutcome::Kind::Transient, 503, "busy")});
	RetryPolicy retry({Poco::Timespan(0, 100000)}, 0.0, Poco::Timespan(3600, 0));  // one retry, after 100 ms
	auto o = options();
	o.pollInterval = Poco::Timespan(3600, 0);  // only a wake-up can retry in time
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, o, Poco::Logger::get("test"));
	dispatcher.start();
	f.ingest("msg_1", "dlv_1", clock.now());
	dispatcher.wake();
	REQUIRE(transport.waitFor(2, std::chrono::seconds(20)));
	dispatcher.stop();  // lets the second attempt finish and record itself
	const auto d = f.store->delivery("acme", "dlv_1", true);
	REQUIRE(d);
	CHECK(d->status == DeliveryStatus::Succeeded);
	CHECK(d->attempts.size() == 2);
	CHECK(transport.requests().size() == 2);
}

namespace {

/// A transport whose first delivery blocks until released (the only worker stays busy).
class GatedTransport : public ScriptedTransport
{
public:
	using ScriptedTransport::ScriptedTransport;

	DeliveryOutcome deliver(const DeliveryRequest& request) override
	{
		{
			std::unique_lock<std::mutex> lock(_gateMutex);
			if (_first && _passed++ == _passFirst)
			{
				_first = false;
				_held = true;
				_gateChanged.notify_all();
				_gateChanged.wait(lock, [this] { return !_held; });
			}
		}
		return ScriptedTransport::deliver(request);
	}
	/// Lets `n` requests through before it holds one (default: it holds the first).
	void passFirst(int n) { _passFirst = n; }
	bool waitHeld(std::chrono::milliseconds deadline)
	{
		std::unique_lock<std::mutex> lock(_gateMutex);
		return _gateChanged.wait_for(lock, deadline, [this] { return _held; });
	}
	void release()
	{
		std::lock_guard<std::mutex> lock(_gateMutex);
		_held = false;
		_gateChanged.notify_all();
	}

private:
	std::mutex _gateMutex;
	std::condition_variable _gateChanged;
	bool _first = true;
	bool _held = false;
	int _passed = 0;
	int _passFirst = 0;
};

/// Collects the messages logged to a logger.
class RecordingChannel : public Poco::Channel
{
public:
	void log(const Poco::Message& message) override
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_texts.push_back(message.getText());
		_logged.notify_all();
	}
	bool waitFor(const std::string& part, std::chrono::milliseconds deadline)
	{
		std::unique_lock<std::mutex> lock(_mutex);
		return _logged.wait_for(lock, deadline, [&] {
			return std::any_of(_texts.begin(), _texts.end(), [&](const std::string& t) { return t.find(part) != std::string::npos; });
		});
	}

private:
	std::mutex _mutex;
	std::condition_variable _logged;
	std::vector<std::string> _texts;
};

} // namespace

TEST_CASE("a claimed delivery whose lease would end during its attempt is not sent, and is sent once after a new claim", "[dispatcher]")
{
	Fixture f;
	FakeClock clock;
	GatedTransport transport;
	transport.passFirst(1);
	RetryPolicy retry({Poco::Timespan(5, 0)}, 0.0, Poco::Timespan(3600, 0));
	Poco::AutoPtr<RecordingChannel> channel(new RecordingChannel);
	Poco::Logger& logger = Poco::Logger::get("test.lease");
	logger.setChannel(channel);
	logger.setLevel(Poco::Message::PRIO_WARNING);
	auto o = options();
	o.workers = 1;
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, o, logger);
	dispatcher.start();
	// A first delivery makes the endpoint quick (its attempt took no time on the fake clock), so
	// the next ones are claimed ahead of the one worker: dlv_2 waits in the queue behind dlv_1.
	f.ingest("msg_0", "dlv_0", clock.now());
	dispatcher.wake();
	REQUIRE(transport.waitFor(1, std::chrono::seconds(20)));
	f.ingest("msg_1", "dlv_1", clock.now());
	f.ingest("msg_2", "dlv_2", clock.now());
	dispatcher.wake();
	REQUIRE(transport.waitHeld(std::chrono::seconds(20)));
	// Both are claimed until now + 5 s; dlv_2's attempt (up to 1 s) could not end before that.
	clock.advance(4500);
	transport.release();
	REQUIRE(channel->waitFor("delivery dlv_2: its lease would end", std::chrono::seconds(20)));
	CHECK(transport.requests().size() == 2);
	// Its lease over, the scheduler claims it again and sends it.
	clock.advance(1000);
	REQUIRE(transport.waitFor(3, std::chrono::seconds(20)));
	dispatcher.stop();
	const auto requests = transport.requests();
	REQUIRE(requests.size() == 3);
	CHECK(f.store->delivery("acme", "dlv_2", true)->attempts.size() == 1);
	CHECK(f.store->delivery("acme", "dlv_2", false)->status == DeliveryStatus::Succeeded);
	logger.setChannel(nullptr);
}

TEST_CASE("a retry is attempted when due while another delivery is still in flight", "[dispatcher]")
{
	Fixture f;
	SystemClock clock;
	f.ingest("msg_1", "dlv_1", clock.now());
	f.ingest("msg_2", "dlv_2", clock.now());
	// One of the two is held in flight; the other fails once and is due again 100 ms later.
	GatedTransport transport({ScriptedTransport::outcome(DeliveryOutcome::Kind::Transient, 503, "busy")});
	RetryPolicy retry({Poco::Timespan(0, 100000)}, 0.0, Poco::Timespan(3600, 0));
	auto o = options();
	o.workers = 4;  // an endpoint's share is a half of them: two attempts at once
	o.pollInterval = Poco::Timespan(3600, 0);  // the store's next due time is that of the one in flight
	Dispatcher dispatcher(*f.store, {{"http", &transport}}, clock, retry, f.templates, o, Poco::Logger::get("test"));
	dispatcher.start();
	REQUIRE(transport.waitHeld(std::chrono::seconds(20)));
	const bool retried = transport.waitFor(2, std::chrono::seconds(20));
	transport.release();
	CHECK(transport.waitFor(3, std::chrono::seconds(20)));
	dispatcher.stop();
	CHECK(retried);
	const auto requests = transport.requests();
	REQUIRE(requests.size() == 3);
	const auto webhookId = [](const DeliveryRequest& r) {
		for (const auto& h : r.headers)
			if (h.first == "webhook-id") return h.second;
		return std::string();
	};
	CHECK(webhookId(requests[0]) == webhookId(requests[1]));  // the same delivery twice
	CHECK(webhookId(requests[0]) != webhookId(requests[2]));
}

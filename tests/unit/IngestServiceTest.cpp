#include "FakeClock.h"
#include "Refusal.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/IngestService.h"
#include "gateway/store/SQLiteStore.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>

#include <algorithm>

using namespace Hookgate;
using Hookgate::Test::FakeClock;
using Hookgate::Test::refusalOf;

namespace {

/// An in-memory store with account acme (its plan given) and three endpoints: a nested and a
/// flat one for customer.*, and a disabled one for everything.
struct IngestSetup
{
	explicit IngestSetup(const std::string& plan = "professional", bool webhooksEnabled = true)
	{
		SQLiteStore::Options options;
		options.path = ":memory:";
		store = std::make_unique<SQLiteStore>(options);
		account = Account{"acme", "ACME", plan, webhooksEnabled, clock.now(), 0};
		store->createAccount(account);
		addEndpoint("ep_nested", {"customer.*"}, "nested", true);
		addEndpoint("ep_flat", {"customer.created"}, "flat", true);
		addEndpoint("ep_off", {"*"}, "nested", false);
		service = std::make_unique<IngestService>(*store, catalog, payloads, clock, metrics, "booking", [this] { ++wakeUps; });
	}

	void addEndpoint(const std::string& id, const std::vector<std::string>& types, const std::string& hierarchy, bool enabled)
	{
		Endpoint endpoint;
		endpoint.id = id;
		endpoint.accountId = "acme";
		endpoint.url = "http://127.0.0.1:9/" + id;
		endpoint.eventTypes = types;
		endpoint.hierarchy = hierarchy;
		endpoint.enabled = enabled;
		endpoint.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
		REQUIRE(store->createEndpoint(endpoint, 10) == Store::CreateResult::Created);
	}

	static IngestRequest request(const std::string& type, const std::string& data = R"({"customer":{"id":7}})")
	{
		IngestRequest r;
		r.type = type;
		r.data = data;
		r.dataIsObject = true;
		return r;
	}

	FakeClock clock;
	EventCatalog catalog;
	PayloadBuilder payloads;
	Metrics metrics;
	std::unique_ptr<SQLiteStore> store;
	Account account;
	std::unique_ptr<IngestService> service;
	int wakeUps = 0;
};

/// What `ingest` refuses `request` with; fails when it accepts it.
DomainError refusal(IngestSetup& setup, const IngestRequest& request)
{
	return refusalOf([&] { setup.service->ingest(setup.account, request); });
}

} // namespace

TEST_CASE("An event fans out to every enabled subscribed endpoint, stored with a payload in its hierarchy", "[ingest]")
{
	IngestSetup setup;
	const IngestResult result = setup.service->ingest(setup.account, IngestSetup::request("customer.created"));
	CHECK_FALSE(result.duplicate);
	CHECK(result.eventId.rfind("msg_", 0) == 0);
	CHECK(result.type == "customer.created");
	REQUIRE(result.deliveries.size() == 2);
	std::vector<std::string> endpoints;
	for (const auto& [deliveryId, endpointId] : result.deliveries)
	{
		CHECK(deliveryId.rfind("dlv_", 0) == 0);
		endpoints.push_back(endpointId);
		const auto delivery = setup.store->delivery("acme", deliveryId, false);
		REQUIRE(delivery);
		const auto payload = setup.store->payload(delivery->seq);
		REQUIRE(payload);
		Poco::JSON::Parser parser;
		const auto json = parser.parse(*payload).extract<Poco::JSON::Object::Ptr>();
		CHECK(json->getValue<std::string>("id") == result.eventId);
		CHECK(json->getValue<std::string>("source") == "booking");
		if (endpointId == "ep_flat") CHECK(json->getValue<int>("customer.id") == 7);
		else CHECK(json->getObject("data")->getObject("customer")->getValue<int>("id") == 7);
	}
	std::sort(endpoints.begin(), endpoints.end());
	CHECK(endpoints == std::vector<std::string>{"ep_flat", "ep_nested"});
	CHECK(setup.wakeUps == 1);
}

TEST_CASE("An event nobody subscribes to, or of an account with webhooks off, is stored without deliveries and wakes nobody", "[ingest]")
{
	IngestSetup setup;
	CHECK(setup.service->ingest(setup.account, IngestSetup::request("appointment.updated")).deliveries.empty());
	IngestSetup off("professional", false);
	const IngestResult result = off.service->ingest(off.account, IngestSetup::request("customer.created"));
	CHECK(result.deliveries.empty());
	CHECK(result.eventId.rfind("msg_", 0) == 0);
	CHECK(setup.wakeUps == 0);
	CHECK(off.wakeUps == 0);
}

TEST_CASE("A repeated idempotency key answers the first result and stores nothing more", "[ingest]")
{
	IngestSetup setup;
	IngestRequest request = IngestSetup::request("customer.created");
	request.idempotencyKey = "booking-4711";
	const IngestResult first = setup.service->ingest(setup.account, request);
	CHECK_FALSE(first.duplicate);
	setup.clock.advance(1000);
	const IngestResult again = setup.service->ingest(setup.account, request);
	CHECK(again.duplicate);
	CHECK(again.eventId == first.eventId);
	CHECK(again.deliveries == first.deliveries);
	CHECK(setup.wakeUps == 1);
	CHECK(setup.store->stats("ep_nested", 0).total == 1);
}

TEST_CASE("An unknown type, an enterprise event below enterprise, a bad key and missing data are refused naming the field", "[ingest]")
{
	IngestSetup setup;
	DomainError e = refusal(setup, IngestSetup::request("customer.exploded"));
	CHECK(e.code() == DomainError::Code::ValidationFailed);
	CHECK(e.field() == "type");
	CHECK(e.message() == "type: 'customer.exploded' is not an event type of the catalog");

	e = refusal(setup, IngestSetup::request("lead.created"));
	CHECK(e.code() == DomainError::Code::PlanFeatureUnavailable);
	CHECK(e.field() == "type");
	CHECK(e.message() == "type: 'lead.created' needs the enterprise plan; account 'acme' is on 'professional'");
	IngestSetup enterprise("enterprise");
	CHECK_NOTHROW(enterprise.service->ingest(enterprise.account, IngestSetup::request("lead.created")));

	for (const std::string& key : std::vector<std::string>{"", "a.b", "with space", std::string(129, 'k')})
	{
		INFO(key);
		IngestRequest request = IngestSetup::request("customer.created");
		request.idempotencyKey = key;
		e = refusal(setup, request);
		CHECK(e.field() == "id");
		CHECK(e.message().rfind("id: ", 0) == 0);
	}

	IngestRequest noData = IngestSetup::request("customer.created");
	noData.data.reset();
	CHECK(refusal(setup, noData).message() == "data: required (a JSON object)");
	IngestRequest array = IngestSetup::request("customer.created", "[1]");
	array.dataIsObject = false;
	CHECK(refusal(setup, array).message() == "data: expected a JSON object");

	CHECK(setup.wakeUps == 0);
	CHECK(setup.store->stats("ep_nested", 0).total == 0);
}

#include "FakeClock.h"
#include "Refusal.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/EndpointService.h"
#include "gateway/store/SQLiteStore.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>

#include <functional>

using namespace Hookgate;
using Hookgate::Test::FakeClock;
using Hookgate::Test::refusalOf;

namespace {

/// An in-memory store with account acme on basic (one endpoint) and the service over it.
struct EndpointSetup
{
	EndpointSetup()
	{
		SQLiteStore::Options options;
		options.path = ":memory:";
		store = std::make_unique<SQLiteStore>(options);
		account = Account{"acme", "ACME", "basic", true, clock.now(), 0};
		store->createAccount(account);
		service = std::make_unique<EndpointService>(*store, catalog, payloads, clock,
			EndpointService::Options{{{"basic", 1}, {"enterprise", 10}}, true}, [this] { ++wakeUps; });
	}

	static Poco::JSON::Object::Ptr fields(const std::string& json)
	{
		Poco::JSON::Parser parser;
		return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
	}

	FakeClock clock;
	EventCatalog catalog;
	PayloadBuilder payloads;
	std::unique_ptr<SQLiteStore> store;
	Account account;
	std::unique_ptr<EndpointService> service;
	int wakeUps = 0;
};

const std::string FIELDS = R"({"url":"http://127.0.0.1:9/hook","eventTypes":["customer.*"]})";

/// The code of the DomainError `action` throws, its message in `message`.
DomainError::Code refusalCode(const std::function<void()>& action, std::string& message)
{
	const DomainError e = refusalOf(action);
	message = e.message();
	return e.code();
}

} // namespace

TEST_CASE("A created endpoint gets an id and a secret, and one more than the plan allows is refused", "[endpoints]")
{
	EndpointSetup setup;
	const Endpoint created = setup.service->create(setup.account, *EndpointSetup::fields(FIELDS));
	CHECK(created.id.rfind("ep_", 0) == 0);
	CHECK(created.secret.rfind("whsec_", 0) == 0);
	CHECK(created.createdAt == setup.clock.now());
	REQUIRE(setup.store->endpoint("acme", created.id));
	CHECK(setup.store->endpoint("acme", created.id)->url == "http://127.0.0.1:9/hook");

	std::string message;
	CHECK(refusalCode([&] { setup.service->create(setup.account, *EndpointSetup::fields(FIELDS)); }, message)
		== DomainError::Code::PlanLimitReached);
	CHECK(message == "plan 'basic' allows 1 endpoint(s); account 'acme' has 1");
	CHECK(setup.store->endpoints("acme").size() == 1);
}

TEST_CASE("An update applies the rules, wakes the dispatcher and refuses an unknown endpoint", "[endpoints]")
{
	EndpointSetup setup;
	const Endpoint created = setup.service->create(setup.account, *EndpointSetup::fields(FIELDS));
	const Endpoint updated = setup.service->update(setup.account, created.id, *EndpointSetup::fields(R"({"enabled":false})"));
	CHECK_FALSE(updated.enabled);
	CHECK_FALSE(setup.store->endpoint("acme", created.id)->enabled);
	CHECK(setup.wakeUps == 1);

	std::string message;
	CHECK(refusalCode([&] { setup.service->update(setup.account, created.id, *EndpointSetup::fields(R"({"eventTypes":[]})")); },
		message) == DomainError::Code::ValidationFailed);
	CHECK(message == "eventTypes: at least one event type is required");
	CHECK(refusalCode([&] { setup.service->update(setup.account, "ep_nope", *EndpointSetup::fields("{}")); }, message)
		== DomainError::Code::NotFound);
	CHECK(message == "endpoint 'ep_nope' not found in account 'acme'");
	CHECK(refusalCode([&] { setup.service->remove("acme", "ep_nope"); }, message) == DomainError::Code::NotFound);
	CHECK(setup.wakeUps == 1);
}

TEST_CASE("A rotated secret keeps the previous one signing for 24 hours", "[endpoints]")
{
	EndpointSetup setup;
	const Endpoint created = setup.service->create(setup.account, *EndpointSetup::fields(FIELDS));
	setup.clock.advance(5000);
	const Endpoint rotated = setup.service->rotateSecret("acme", created.id);
	CHECK(rotated.secret != created.secret);
	CHECK(rotated.previousSecret == created.secret);
	CHECK(rotated.previousSecretUntil == setup.clock.now() + 24 * 3600 * 1000LL);
	CHECK(setup.store->endpoint("acme", created.id)->secret == rotated.secret);
}

TEST_CASE("A declared endpoint keeps its id, its creation time and its secret across declarations", "[endpoints]")
{
	EndpointSetup setup;
	const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	const Endpoint first = setup.service->declare(setup.account, "ep_acme_erp", *EndpointSetup::fields(FIELDS), std::nullopt);
	CHECK(first.id == "ep_acme_erp");
	const Millis createdAt = first.createdAt;
	setup.clock.advance(60000);
	const Endpoint again = setup.service->declare(setup.account, "ep_acme_erp",
		*EndpointSetup::fields(R"({"url":"http://127.0.0.1:9/other","eventTypes":["*"]})"), std::nullopt);
	CHECK(again.createdAt == createdAt);
	CHECK(again.secret == first.secret);
	CHECK(setup.store->endpoint("acme", "ep_acme_erp")->url == "http://127.0.0.1:9/other");
	CHECK(setup.service->declare(setup.account, "ep_acme_erp", *EndpointSetup::fields(FIELDS), secret).secret == secret);

	std::string message;
	CHECK(refusalCode([&] { setup.service->declare(setup.account, "ep_acme_erp", *EndpointSetup::fields(FIELDS), std::string("nope")); },
		message) == DomainError::Code::ValidationFailed);
	CHECK(message.rfind("secret: expected whsec_ and base64", 0) == 0);
	CHECK(setup.store->endpoint("acme", "ep_acme_erp")->secret == secret);
	// A second declared endpoint is one more than basic allows.
	CHECK(refusalCode([&] { setup.service->declare(setup.account, "ep_acme_crm", *EndpointSetup::fields(FIELDS), std::nullopt); },
		message) == DomainError::Code::PlanLimitReached);
}

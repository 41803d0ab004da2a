#include "FakeClock.h"
#include "Refusal.h"
#include "StoreTestData.h"
#include "gateway/core/AccountService.h"
#include "gateway/core/AccountTokens.h"
#include "gateway/store/SQLiteStore.h"

#include <catch2/catch.hpp>

#include "gateway/core/Plans.h"

#include <Poco/JSON/Parser.h>

using namespace Hookgate;
using namespace Hookgate::Test;

namespace {

/// An in-memory store and the service over it, with the default plan limits.
struct AccountSetup
{
	AccountSetup()
	{
		SQLiteStore::Options options;
		options.path = ":memory:";
		store = std::make_unique<SQLiteStore>(options);
		service = std::make_unique<AccountService>(*store, clock, Plans::defaultLimits(), [this] { ++wakeUps; });
	}

	static Poco::JSON::Object::Ptr fields(const std::string& json)
	{
		Poco::JSON::Parser parser;
		return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
	}

	FakeClock clock;
	std::unique_ptr<SQLiteStore> store;
	std::unique_ptr<AccountService> service;
	int wakeUps = 0;
};

} // namespace

TEST_CASE("A new account takes its id as name, the basic plan and webhooks off unless told, and an id twice is a conflict", "[accounts]")
{
	AccountSetup setup;
	const Account acme = setup.service->create(*AccountSetup::fields(R"({"id":"acme"})"));
	CHECK(acme.name == "acme");
	CHECK(acme.plan == "basic");
	CHECK_FALSE(acme.webhooksEnabled);
	CHECK(acme.createdAt == setup.clock.now());
	CHECK(setup.service->limit(acme.plan) == 1);
	REQUIRE(setup.store->account("acme"));

	const DomainError twice = refusalOf([&] { setup.service->create(*AccountSetup::fields(R"({"id":"acme","name":"Other"})")); });
	CHECK(twice.code() == DomainError::Code::Conflict);
	CHECK(setup.store->account("acme")->name == "acme");

	for (const std::string& json : std::vector<std::string>{R"({"name":"x"})", R"({"id":"Acme!"})", R"({"id":"b","plan":"gold"})",
			 R"({"id":"b","name":"a\u0000b"})", R"({"id":"b","colour":"red"})", R"({"id":"b","webhooksEnabled":"yes"})"})
	{
		INFO(json);
		CHECK(refusalOf([&] { setup.service->create(*AccountSetup::fields(json)); }).code() == DomainError::Code::ValidationFailed);
	}
	CHECK(setup.store->accounts().size() == 1);
}

TEST_CASE("Only a caller that may change plans changes one, never below the endpoints the account has", "[accounts]")
{
	AccountSetup setup;
	setup.service->create(*AccountSetup::fields(R"({"id":"acme","plan":"professional"})"));
	setup.store->createEndpoint(makeEndpoint("acme", "ep_1"), 3);
	setup.store->createEndpoint(makeEndpoint("acme", "ep_2"), 3);

	DomainError e = refusalOf([&] { setup.service->update("acme", *AccountSetup::fields(R"({"plan":"business"})"), false); });
	CHECK(e.code() == DomainError::Code::Forbidden);
	e = refusalOf([&] { setup.service->update("acme", *AccountSetup::fields(R"({"plan":"basic"})"), true); });
	CHECK(e.code() == DomainError::Code::PlanLimitReached);
	CHECK(e.message() == "plan 'basic' allows 1 endpoint(s); account 'acme' has 2");
	CHECK(setup.store->account("acme")->plan == "professional");

	CHECK(setup.service->update("acme", *AccountSetup::fields(R"({"plan":"business","name":"ACME AG"})"), true).plan == "business");
	CHECK(setup.wakeUps == 0);
	CHECK(setup.service->update("acme", *AccountSetup::fields(R"({"webhooksEnabled":true})"), false).webhooksEnabled);
	CHECK(setup.wakeUps == 1);
	CHECK(refusalOf([&] { setup.service->update("nope", *AccountSetup::fields("{}"), true); }).code() == DomainError::Code::NotFound);
}

TEST_CASE("A declared account is created once and then brought to its declaration", "[accounts]")
{
	AccountSetup setup;
	const Account first = setup.service->declare("acme", *AccountSetup::fields(R"({"plan":"enterprise"})"));
	CHECK(first.plan == "enterprise");
	setup.clock.advance(1000);
	const Account again = setup.service->declare("acme", *AccountSetup::fields(R"({"name":"ACME AG"})"));
	CHECK(again.name == "ACME AG");
	CHECK(again.plan == "enterprise");
	CHECK(setup.store->account("acme")->createdAt == first.createdAt);
	CHECK(refusalOf([&] { setup.service->declare("ACME", *AccountSetup::fields("{}")); }).field() == "id");
}

TEST_CASE("An issued token belongs to its account and is stored only as a hash", "[accounts]")
{
	AccountSetup setup;
	setup.service->create(*AccountSetup::fields(R"({"id":"acme"})"));
	const std::string token = setup.service->issueToken("acme");
	CHECK(token.rfind("hgk_", 0) == 0);
	CHECK(setup.store->accountOfToken(AccountTokens::hash(token)) == std::optional<std::string>("acme"));
	CHECK(refusalOf([&] { setup.service->issueToken("nope"); }).code() == DomainError::Code::NotFound);
}

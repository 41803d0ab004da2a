// Issue 5: endpoint limits of the plans (defaults, an override in the
// properties file, 20 parallel creates, downgrades below the count).

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

using namespace Hookgate::Test;

namespace {

/// Creates endpoints until the plan's limit, then checks that one more is
/// 409 plan_limit_reached naming the plan and the limit, and that the account
/// shows endpointLimit and endpointCount.
void fillToLimit(const ApiClient& api, const Receiver& receiver, const std::string& account, const std::string& plan, int limit)
{
	INFO("account " << account << " on plan " << plan << ", expected limit " << limit);
	CHECK(Steps::intOf(AccountSteps::getAccount(api, account), "endpointLimit") == limit);
	for (int i = 0; i < limit; ++i)
		Steps::createEndpoint(api, account, receiver.url("/" + account + "/" + std::to_string(i)), {"customer.created"});
	checkApiError("endpoint number " + std::to_string(limit + 1) + " on " + plan,
		api.post("/api/v1/accounts/" + account + "/endpoints",
			AccountSteps::endpointBody(receiver.url("/" + account + "/over"), {"customer.created"})),
		409, "plan_limit_reached", {plan, std::to_string(limit)});
	const Poco::JSON::Object::Ptr after = AccountSteps::getAccount(api, account);
	CHECK(Steps::intOf(after, "endpointCount") == limit);
	CHECK(Steps::intOf(after, "endpointLimit") == limit);
	CHECK(AccountSteps::endpointIds(api, account).size() == static_cast<std::size_t>(limit));
}

} // namespace

TEST_CASE("Each plan allows its default number of endpoints and not one more", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const std::vector<std::pair<std::string, int>> plans = {{"basic", 1}, {"professional", 3}, {"business", 5}, {"enterprise", 10}};
	for (const auto& plan: plans)
	{
		Steps::createAccount(api, "on-" + plan.first, plan.first);
		fillToLimit(api, receiver, "on-" + plan.first, plan.first, plan.second);
	}

	// A deleted endpoint frees its place.
	const std::vector<std::string> ids = AccountSteps::endpointIds(api, "on-basic");
	REQUIRE(ids.size() == 1);
	const ApiResponse removed = api.del("/api/v1/accounts/on-basic/endpoints/" + ids[0]);
	INFO("DELETE endpoint -> " << removed.describe());
	CHECK(removed.status == 204);
	Steps::createEndpoint(api, "on-basic", receiver.url("/on-basic/again"), {"customer.created"});
	CHECK(Steps::intOf(AccountSteps::getAccount(api, "on-basic"), "endpointCount") == 1);
}

TEST_CASE("A plan limit set in the properties file replaces the default", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.plans.basic.endpoints", "2"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "small", "basic");
	fillToLimit(api, receiver, "small", "basic", 2);

	// The other plans keep their defaults.
	Steps::createAccount(api, "medium", "professional");
	CHECK(Steps::intOf(AccountSteps::getAccount(api, "medium"), "endpointLimit") == 3);

	// And downgrades are measured against the overridden limit: 2 endpoints fit on basic now.
	Steps::createEndpoint(api, "medium", receiver.url("/medium/1"), {"customer.created"});
	Steps::createEndpoint(api, "medium", receiver.url("/medium/2"), {"customer.created"});
	const ApiResponse downgrade = api.patch("/api/v1/accounts/medium", R"({"plan":"basic"})");
	INFO("PATCH plan basic with 2 endpoints, basic allows 2 -> " << downgrade.describe());
	CHECK(downgrade.status == 200);
	CHECK(Steps::stringOf(downgrade.json, "plan") == "basic");
	CHECK(Steps::intOf(downgrade.json, "endpointLimit") == 2);
}

TEST_CASE("Twenty parallel endpoint creates on a basic account leave exactly one endpoint", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "basic");

	// Each thread its own client and connection; all released at once.
	const std::string createdId = AccountSteps::raceEndpointCreates({gateway.port()}, "acme", receiver.url("/parallel/"), 20, "basic");
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{createdId});
	CHECK(Steps::intOf(AccountSteps::getAccount(api, "acme"), "endpointCount") == 1);
}

TEST_CASE("Downgrading a plan below the number of endpoints is refused and the plan stays", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme", "business");
	std::vector<std::string> ids;
	for (int i = 0; i < 4; ++i)
		ids.push_back(Steps::createEndpoint(api, "acme", receiver.url("/hook/" + std::to_string(i)), {"customer.created"}).id);
	const std::string before = ApiClient::canonical(AccountSteps::getAccount(api, "acme"));

	checkApiError("business -> professional with 4 endpoints",
		api.patch("/api/v1/accounts/acme", R"({"plan":"professional"})"), 409, "plan_limit_reached", {"professional", "3", "4"});
	checkApiError("business -> basic with 4 endpoints",
		api.patch("/api/v1/accounts/acme", R"({"plan":"basic"})"), 409, "plan_limit_reached", {"basic", "1", "4"});
	checkApiError("business -> basic with 4 endpoints, together with a new name",
		api.patch("/api/v1/accounts/acme", R"({"name":"Renamed","plan":"basic"})"), 409, "plan_limit_reached", {"basic"});
	const Poco::JSON::Object::Ptr after = AccountSteps::getAccount(api, "acme");
	CHECK(ApiClient::canonical(after) == before);
	CHECK(Steps::stringOf(after, "plan") == "business");
	CHECK(Steps::intOf(after, "endpointLimit") == 5);
	CHECK(Steps::intOf(after, "endpointCount") == 4);
	CHECK(AccountSteps::endpointIds(api, "acme").size() == 4);

	// Down to 3 endpoints, professional fits (equal to the limit); basic still does not.
	const ApiResponse removed = api.del("/api/v1/accounts/acme/endpoints/" + ids[0]);
	INFO("DELETE endpoint -> " << removed.describe());
	REQUIRE(removed.status == 204);
	const ApiResponse downgrade = api.patch("/api/v1/accounts/acme", R"({"plan":"professional"})");
	INFO("business -> professional with 3 endpoints -> " << downgrade.describe());
	CHECK(downgrade.status == 200);
	CHECK(Steps::stringOf(downgrade.json, "plan") == "professional");
	CHECK(Steps::intOf(downgrade.json, "endpointLimit") == 3);
	CHECK(Steps::intOf(downgrade.json, "endpointCount") == 3);
	checkApiError("professional -> basic with 3 endpoints",
		api.patch("/api/v1/accounts/acme", R"({"plan":"basic"})"), 409, "plan_limit_reached", {"basic"});
	CHECK(Steps::stringOf(AccountSteps::getAccount(api, "acme"), "plan") == "professional");
	checkApiError("a fourth endpoint on professional",
		api.post("/api/v1/accounts/acme/endpoints", AccountSteps::endpointBody(receiver.url("/hook/4"), {"customer.created"})),
		409, "plan_limit_reached", {"professional"});
}

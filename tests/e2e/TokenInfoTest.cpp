// GET /api/v1/token (an API extension for the dashboard's sign-in): whose token a request
// carries — the admin's, or which account's — answered from the authentication itself, not
// from the token's shape.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <string>

using namespace Hookgate::Test;

namespace {

const std::string TOKEN_PATH = "/api/v1/token";

/// Requires 200 with exactly {"admin": true}.
void checkAdmin(const std::string& what, const ApiResponse& response)
{
	INFO(what << " -> " << response.describe());
	REQUIRE(response.status == 200);
	CHECK(response.contentType.rfind("application/json", 0) == 0);
	REQUIRE(response.json);
	CHECK(response.json->size() == 1);
	REQUIRE(response.json->has("admin"));
	REQUIRE(response.json->get("admin").isBoolean());
	CHECK(response.json->getValue<bool>("admin"));
}

/// Requires 200 with exactly {"admin": false, "accountId": accountId}.
void checkAccount(const std::string& what, const ApiResponse& response, const std::string& accountId)
{
	INFO(what << " -> " << response.describe());
	REQUIRE(response.status == 200);
	CHECK(response.contentType.rfind("application/json", 0) == 0);
	REQUIRE(response.json);
	CHECK(response.json->size() == 2);
	CHECK(Steps::isFalse(response.json, "admin"));
	CHECK(Steps::stringOf(response.json, "accountId") == accountId);
}

} // namespace

TEST_CASE("GET /api/v1/token tells the admin token from an account token and refuses a missing or wrong token", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "professional");
	Steps::createAccount(api, "globex", "basic");
	const std::string acmeToken = AccountSteps::issueToken(api, "acme");
	const std::string globexToken = AccountSteps::issueToken(api, "globex");

	checkAdmin("the admin token", api.get(TOKEN_PATH));
	checkAccount("acme's token", api.get(TOKEN_PATH, acmeToken), "acme");
	checkAccount("globex's token", api.get(TOKEN_PATH, globexToken), "globex");

	checkApiError("a wrong token of the account-token shape", api.get(TOKEN_PATH, "hgk_wrongwrongwrongwrongwrong"), 401, "unauthorized");
	checkApiError("a wrong token of another shape", api.get(TOKEN_PATH, "not-the-admin-token"), 401, "unauthorized");
	RawRequest anonymous;
	anonymous.path = TOKEN_PATH;
	checkApiError("no token", api.send(anonymous), 401, "unauthorized", {"Authorization"});

	const ApiResponse post = api.post(TOKEN_PATH, "{}");
	checkApiError("POST", post, 405, "method_not_allowed");
	CHECK(post.headers.get("Allow", "") == "GET");
	checkApiError("DELETE with an account token", api.del(TOKEN_PATH, acmeToken), 405, "method_not_allowed");
	// The method is checked after the token, as on every other path.
	checkApiError("POST without a valid token", api.post(TOKEN_PATH, "{}", "hgk_wrongwrongwrongwrongwrong"), 401, "unauthorized");
	checkApiError("a path below it", api.get(TOKEN_PATH + "/acme"), 404, "not_found");

	// Deleting an account deletes its tokens: the token no longer names anyone.
	REQUIRE(api.del("/api/v1/accounts/globex").status == 204);
	checkApiError("the token of a deleted account", api.get(TOKEN_PATH, globexToken), 401, "unauthorized");
	checkAccount("acme's token after globex is gone", api.get(TOKEN_PATH, acmeToken), "acme");
}

TEST_CASE("GET /api/v1/token answers admin for an admin token that has the shape of an account token", "[e2e]")
{
	const std::string adminToken = "hgk_AdminTokenOfTheAccountTokenShape42";
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.api.adminToken", adminToken}});
	gateway.start();
	ApiClient api(gateway.port(), adminToken);
	REQUIRE(AccountSteps::isAccountToken(adminToken));
	Steps::createAccount(api, "acme", "professional");
	const std::string acmeToken = AccountSteps::issueToken(api, "acme");

	checkAdmin("the hgk_-shaped admin token", api.get(TOKEN_PATH));
	checkAccount("acme's token", api.get(TOKEN_PATH, acmeToken), "acme");
	checkApiError("the default test admin token is not this gateway's", api.get(TOKEN_PATH, GatewayProcess::ADMIN_TOKEN), 401,
		"unauthorized");
}

// Issue 5: account tokens and tenant isolation.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <random>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

struct Tenant
{
	std::string account;
	std::string token;
	Steps::Endpoint endpoint;
	std::string delivery;
};

/// Everything of an account an intruder could change or read, as the admin sees it.
struct Snapshot
{
	std::string account;
	std::string endpoints;
	std::string endpoint;
	std::string secret;
	std::string stats;
	std::string deliveries;
	std::string delivery;
	std::string raw;
	std::size_t received = 0;

	static Snapshot take(const ApiClient& api, const Receiver& receiver, const Tenant& tenant)
	{
		const std::string a = "/api/v1/accounts/" + tenant.account;
		const std::string e = a + "/endpoints/" + tenant.endpoint.id;
		Snapshot s;
		s.account = answer(api, a);
		s.endpoints = answer(api, a + "/endpoints");
		s.endpoint = answer(api, e);
		s.secret = answer(api, e + "/secret");
		s.stats = answer(api, e + "/stats");
		s.deliveries = answer(api, e + "/deliveries");
		s.delivery = answer(api, a + "/deliveries/" + tenant.delivery);
		s.raw = answer(api, a + "/deliveries/" + tenant.delivery + "/raw");
		s.received = receiver.count();
		return s;
	}

	static std::string answer(const ApiClient& api, const std::string& path)
	{
		const ApiResponse response = api.get(path);
		return std::to_string(response.status) + " " + (response.json ? ApiClient::canonical(response.json) : response.body);
	}
};

void checkUnchanged(const Snapshot& before, const Snapshot& after)
{
	CHECK(after.account == before.account);
	CHECK(after.endpoints == before.endpoints);
	CHECK(after.endpoint == before.endpoint);
	CHECK(after.secret == before.secret);
	CHECK(after.stats == before.stats);
	CHECK(after.deliveries == before.deliveries);
	CHECK(after.delivery == before.delivery);
	CHECK(after.raw == before.raw);
	CHECK(after.received == before.received);
}

struct Probe
{
	std::string method;
	std::string path;
	std::string body;  ///< sent as application/json when not empty
};

ApiResponse send(const ApiClient& api, const Probe& probe, const std::string& token)
{
	RawRequest request;
	request.method = probe.method;
	request.path = probe.path;
	request.authorization = "Bearer " + token;
	if (!probe.body.empty())
	{
		request.body = probe.body;
		request.contentType = "application/json";
	}
	return api.send(request);
}

/// Every account-scoped path of docs/api.md, on the victim's account and resources.
std::vector<Probe> accountScopedPaths(const Tenant& victim, const std::string& intruderUrl)
{
	const std::string a = "/api/v1/accounts/" + victim.account;
	const std::string e = a + "/endpoints/" + victim.endpoint.id;
	const std::string d = a + "/deliveries/" + victim.delivery;
	return {
		// Account
		{"GET", a, ""},
		{"PATCH", a, R"({"name":"taken over"})"},
		{"PATCH", a, R"({"webhooksEnabled":false})"},
		{"PATCH", a, R"({"plan":"basic"})"},
		{"DELETE", a, ""},
		{"POST", a + "/tokens", "{}"},
		// Endpoints
		{"GET", a + "/endpoints", ""},
		{"POST", a + "/endpoints", AccountSteps::endpointBody(intruderUrl, {"*"})},
		{"GET", e, ""},
		{"PATCH", e, "{\"url\":" + Steps::jsonString(intruderUrl) + "}"},
		{"DELETE", e, ""},
		{"GET", e + "/secret", ""},
		{"POST", e + "/secret/rotate", "{}"},
		{"GET", e + "/stats", ""},
		{"GET", e + "/stats?since=2000-01-01T00:00:00Z", ""},
		{"GET", e + "/deliveries", ""},
		{"GET", e + "/deliveries?status=succeeded&limit=10", ""},
		{"POST", e + "/recover", R"({"since":"2000-01-01T00:00:00Z"})"},
		// Events
		{"POST", a + "/events", R"({"type":"customer.created","id":"intruder-1","data":{"from":"intruder"}})"},
		// Deliveries
		{"GET", d, ""},
		{"GET", d + "/raw", ""},
		{"GET", d + "/download", ""},
		{"POST", d + "/replay", "{}"},
		// Ids that do not exist in the victim's account: 403 as well, no existence oracle.
		{"GET", a + "/endpoints/ep_doesnotexist000000000", ""},
		{"GET", a + "/deliveries/dlv_doesnotexist00000000", ""},
	};
}

/// The intruder's own account path with the victim's resource ids: the ids are
/// not found there (404), for the intruder's token and for the admin alike.
std::vector<Probe> foreignIdsOnOwnPath(const Tenant& intruder, const Tenant& victim)
{
	const std::string a = "/api/v1/accounts/" + intruder.account;
	const std::string e = a + "/endpoints/" + victim.endpoint.id;
	const std::string d = a + "/deliveries/" + victim.delivery;
	return {
		{"GET", e, ""},
		{"PATCH", e, R"({"description":"mine now"})"},
		{"DELETE", e, ""},
		{"GET", e + "/secret", ""},
		{"POST", e + "/secret/rotate", "{}"},
		{"GET", e + "/stats", ""},
		{"GET", e + "/deliveries", ""},
		{"GET", d, ""},
		{"GET", d + "/raw", ""},
		{"GET", d + "/download", ""},
	};
}

Tenant setUp(const ApiClient& api, const Receiver& receiver, const std::string& account)
{
	Tenant tenant;
	tenant.account = account;
	Steps::createAccount(api, account, "professional");
	tenant.token = AccountSteps::issueToken(api, account);
	tenant.endpoint = Steps::createEndpoint(api, account, receiver.url("/" + account), {"appointment.booking.created"});
	const Steps::Event event = Steps::postEvent(api, account, "appointment.booking.created", "{\"for\":\"" + account + "\"}");
	REQUIRE(event.deliveryIds.size() == 1);
	tenant.delivery = event.deliveryIds[0];
	REQUIRE(Steps::stringOf(Steps::waitForDeliveryStatus(api, account, tenant.delivery, "succeeded"), "status") == "succeeded");
	return tenant;
}

} // namespace

TEST_CASE("An account token is issued once by the admin and works on its own account's paths", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "professional");

	const ApiResponse issued = api.post("/api/v1/accounts/acme/tokens", "{}");
	INFO("POST /api/v1/accounts/acme/tokens -> " << issued.describe());
	REQUIRE(issued.status == 201);
	REQUIRE(issued.json);
	const std::string token = Steps::stringOf(issued.json, "token");
	CHECK(AccountSteps::isAccountToken(token));
	const std::string second = AccountSteps::issueToken(api, "acme");
	CHECK(second != token);
	checkApiError("token for an unknown account", api.post("/api/v1/accounts/nobody/tokens", "{}"), 404, "not_found", {"nobody"});

	// The token is never shown again.
	for (const std::string path: {"/api/v1/accounts", "/api/v1/accounts/acme"})
	{
		const ApiResponse response = api.get(path);
		INFO("GET " << path << " -> " << response.describe());
		CHECK(response.status == 200);
		CHECK(response.body.find(token) == std::string::npos);
		CHECK(response.body.find(token.substr(4)) == std::string::npos);
	}

	const std::string a = "/api/v1/accounts/acme";
	auto expect = [&](const ApiResponse& response, int status, const std::string& what)
	{
		INFO("account token: " << what << " -> " << response.describe());
		CHECK(response.status == status);
		return response;
	};

	// The account itself: GET, and PATCH of name and webhooksEnabled.
	expect(api.get(a, token), 200, "GET account");
	const ApiResponse renamed = expect(api.patch(a, R"({"name":"ACME by token"})", token), 200, "PATCH name");
	CHECK(Steps::stringOf(renamed.json, "name") == "ACME by token");
	expect(api.patch(a, R"({"webhooksEnabled":false})", token), 200, "PATCH webhooksEnabled false");
	CHECK(Steps::isFalse(AccountSteps::getAccount(api, "acme"), "webhooksEnabled"));
	expect(api.patch(a, R"({"webhooksEnabled":true,"name":"ACME AG"})", token), 200, "PATCH webhooksEnabled true and name");
	const Poco::JSON::Object::Ptr account = AccountSteps::getAccount(api, "acme");
	CHECK(Steps::stringOf(account, "name") == "ACME AG");
	CHECK_FALSE(Steps::isFalse(account, "webhooksEnabled"));
	CHECK(Steps::stringOf(account, "plan") == "professional");

	// Endpoints, events, deliveries.
	const ApiResponse created = expect(api.post(a + "/endpoints",
		AccountSteps::endpointBody(receiver.url("/by-token"), {"appointment.booking.created"}), token), 201, "POST endpoint");
	const std::string endpointId = Steps::stringOf(created.json, "id");
	REQUIRE(endpointId.rfind("ep_", 0) == 0);
	const std::string e = a + "/endpoints/" + endpointId;
	expect(api.get(a + "/endpoints", token), 200, "GET endpoints");
	expect(api.get(e, token), 200, "GET endpoint");
	expect(api.patch(e, R"({"description":"set with the account token"})", token), 200, "PATCH endpoint");
	const ApiResponse rotated = expect(api.post(e + "/secret/rotate", "{}", token), 200, "rotate secret");
	const ApiResponse secret = expect(api.get(e + "/secret", token), 200, "GET secret");
	CHECK(Steps::stringOf(secret.json, "secret") == Steps::stringOf(rotated.json, "secret"));
	const ApiResponse event = expect(api.post(a + "/events",
		R"({"type":"appointment.booking.created","data":{"by":"token"}})", token), 202, "POST event");
	REQUIRE(event.json);
	REQUIRE(event.json->getArray("deliveries"));
	REQUIRE(event.json->getArray("deliveries")->size() == 1);
	const std::string deliveryId = Steps::stringOf(event.json->getArray("deliveries")->getObject(0), "id");
	REQUIRE(receiver.waitForCount(1, DEADLINE));
	const std::string d = a + "/deliveries/" + deliveryId;
	expect(api.get(d, token), 200, "GET delivery");
	expect(api.get(d + "/raw", token), 200, "GET raw");
	expect(api.get(d + "/download", token), 200, "GET download");
	expect(api.get(e + "/deliveries", token), 200, "GET endpoint deliveries");
	expect(api.get(e + "/stats", token), 200, "GET stats");
	expect(api.del(e, token), 204, "DELETE endpoint");
	CHECK(AccountSteps::endpointIds(api, "acme").empty());

	// Both tokens stay valid.
	expect(api.get(a, token), 200, "first token, GET account at the end");
	expect(api.get(a, second), 200, "second token, GET account at the end");
}

TEST_CASE("Every account-scoped path answers 403 to another account's token and nothing of that account changes", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const Tenant acme = setUp(api, receiver, "acme");
	const Tenant globex = setUp(api, receiver, "globex");
	REQUIRE(receiver.waitForCount(2, DEADLINE));

	for (const auto& pair: {std::make_pair(acme, globex), std::make_pair(globex, acme)})
	{
		const Tenant& intruder = pair.first;
		const Tenant& victim = pair.second;
		const Snapshot victimBefore = Snapshot::take(api, receiver, victim);
		const Snapshot intruderBefore = Snapshot::take(api, receiver, intruder);

		for (const Probe& probe: accountScopedPaths(victim, receiver.url("/stolen-by-" + intruder.account)))
		{
			checkApiError(intruder.account + "'s token: " + probe.method + " " + probe.path + (probe.body.empty() ? "" : " " + probe.body),
				send(api, probe, intruder.token), 403, "forbidden");
		}
		checkApiError(intruder.account + "'s token: GET an account that does not exist",
			send(api, Probe{"GET", "/api/v1/accounts/nobody", ""}, intruder.token), 403, "forbidden");

		for (const Probe& probe: foreignIdsOnOwnPath(intruder, victim))
		{
			checkApiError(intruder.account + "'s token, " + victim.account + "'s id on its own path: " + probe.method + " " + probe.path,
				send(api, probe, intruder.token), 404, "not_found");
			checkApiError("admin, " + victim.account + "'s id on " + intruder.account + "'s path: " + probe.method + " " + probe.path,
				send(api, probe, GatewayProcess::ADMIN_TOKEN), 404, "not_found");
		}

		INFO("victim " << victim.account);
		checkUnchanged(victimBefore, Snapshot::take(api, receiver, victim));
		INFO("intruder " << intruder.account);
		checkUnchanged(intruderBefore, Snapshot::take(api, receiver, intruder));
		CHECK(AccountSteps::endpointIds(api, victim.account) == std::vector<std::string>{victim.endpoint.id});
	}

	// Nothing reached the intruders' URLs; each token still works on its own account.
	CHECK_FALSE(receiver.waitForCount(3, Poco::Timespan(0, 500000)));
	for (const RecordedRequest& request: receiver.requests())
		CHECK(request.uri.find("stolen") == std::string::npos);
	CHECK(api.get("/api/v1/accounts/acme", acme.token).status == 200);
	CHECK(api.get("/api/v1/accounts/globex", globex.token).status == 200);
}

TEST_CASE("A wrong account token is 401", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	const std::string token = AccountSteps::issueToken(api, "acme");

	std::mt19937 random(std::random_device{}());
	const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	std::string invented = "hgk_";
	for (int i = 0; i < 32; ++i) invented += alphabet[random() % alphabet.size()];
	std::string lastCharChanged = token;
	lastCharChanged.back() = lastCharChanged.back() == 'A' ? 'B' : 'A';

	const std::vector<std::pair<std::string, std::string>> wrong = {
		{"a well-formed hgk_ token that was never issued", invented},
		{"the issued token with its last character changed", lastCharChanged},
		{"the issued token with one more character", token + "x"},
		{"the issued token without its last character", token.substr(0, token.size() - 1)},
		{"the issued token in upper case", "HGK_" + token.substr(4)},
		{"only the prefix", "hgk_"},
	};
	for (const auto& w: wrong)
	{
		checkApiError(w.first + ": GET /api/v1/accounts/acme", api.get("/api/v1/accounts/acme", w.second), 401, "unauthorized");
		checkApiError(w.first + ": POST event", api.post("/api/v1/accounts/acme/events",
			R"({"type":"customer.created","data":{}})", w.second), 401, "unauthorized");
	}
	CHECK(api.get("/api/v1/accounts/acme", token).status == 200);
}

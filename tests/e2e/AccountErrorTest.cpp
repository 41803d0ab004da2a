// Issue 5: the error answers of account and endpoint management that
// BadInputTest.cpp does not produce: 403 forbidden, 403 plan_feature_unavailable,
// 422 for every invalid endpoint field, 405 on known paths, 404 for an unknown
// endpoint. (409 plan_limit_reached: PlanLimitTest.cpp.)

#include "AccountSteps.h"
#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <set>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

std::set<std::string> accountIds(const ApiClient& api)
{
	const ApiResponse response = api.get("/api/v1/accounts");
	INFO("GET /api/v1/accounts -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	Poco::JSON::Array::Ptr items = response.json->getArray("items");
	REQUIRE(items);
	std::set<std::string> ids;
	for (std::size_t i = 0; i < items->size(); ++i)
		ids.insert(Steps::stringOf(items->getObject(static_cast<unsigned>(i)), "id"));
	return ids;
}

RawRequest request(const std::string& method, const std::string& path, const std::string& token)
{
	RawRequest raw;
	raw.method = method;
	raw.path = path;
	raw.authorization = "Bearer " + token;
	return raw;
}

} // namespace

TEST_CASE("An account token is forbidden on another account and on the admin-only actions", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme", "professional");
	Steps::createAccount(api, "globex", "basic");
	const std::string acmeToken = AccountSteps::issueToken(api, "acme");
	const std::string acmeBefore = ApiClient::canonical(AccountSteps::getAccount(api, "acme"));
	const std::string globexBefore = ApiClient::canonical(AccountSteps::getAccount(api, "globex"));

	// Another account's path.
	checkApiError("acme's token: GET /api/v1/accounts/globex",
		api.get("/api/v1/accounts/globex", acmeToken), 403, "forbidden", {"globex"});
	checkApiError("acme's token: PATCH /api/v1/accounts/globex name",
		api.patch("/api/v1/accounts/globex", R"({"name":"taken over"})", acmeToken), 403, "forbidden", {"globex"});

	// Admin-only actions, even on the token's own account.
	checkApiError("acme's token: GET /api/v1/accounts (list accounts)",
		api.get("/api/v1/accounts", acmeToken), 403, "forbidden", {"admin"});
	checkApiError("acme's token: POST /api/v1/accounts (create an account)",
		api.post("/api/v1/accounts", R"({"id":"intruder","name":"Intruder","plan":"enterprise","webhooksEnabled":true})", acmeToken),
		403, "forbidden", {"admin"});
	checkApiError("acme's token: DELETE /api/v1/accounts/acme (its own account)",
		api.del("/api/v1/accounts/acme", acmeToken), 403, "forbidden", {"admin"});
	checkApiError("acme's token: DELETE /api/v1/accounts/globex",
		api.del("/api/v1/accounts/globex", acmeToken), 403, "forbidden");
	checkApiError("acme's token: POST /api/v1/accounts/acme/tokens (issue a token for itself)",
		api.post("/api/v1/accounts/acme/tokens", "{}", acmeToken), 403, "forbidden", {"admin"});
	checkApiError("acme's token: POST /api/v1/accounts/globex/tokens",
		api.post("/api/v1/accounts/globex/tokens", "{}", acmeToken), 403, "forbidden");
	checkApiError("acme's token: PATCH its own plan",
		api.patch("/api/v1/accounts/acme", R"({"plan":"enterprise"})", acmeToken), 403, "forbidden", {"plan"});
	checkApiError("acme's token: PATCH its own plan together with its name",
		api.patch("/api/v1/accounts/acme", R"({"name":"Renamed","plan":"basic"})", acmeToken), 403, "forbidden", {"plan"});

	// Nothing changed: no account created or deleted, acme's name and plan as before.
	CHECK(accountIds(api) == std::set<std::string>{"acme", "globex"});
	CHECK(ApiClient::canonical(AccountSteps::getAccount(api, "acme")) == acmeBefore);
	CHECK(ApiClient::canonical(AccountSteps::getAccount(api, "globex")) == globexBefore);

	// The same requests with the admin token are fine (so the 403s above were about the token).
	CHECK(api.get("/api/v1/accounts").status == 200);
	const ApiResponse plan = api.patch("/api/v1/accounts/acme", R"({"plan":"enterprise"})");
	INFO("admin: PATCH plan -> " << plan.describe());
	CHECK(plan.status == 200);
	CHECK(Steps::stringOf(plan.json, "plan") == "enterprise");
}

TEST_CASE("Lead events are refused below the enterprise plan while the star is allowed on every plan", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const std::vector<std::string> belowEnterprise = {"basic", "professional", "business"};
	for (const auto& plan: belowEnterprise)
	{
		const std::string account = "on-" + plan;
		Steps::createAccount(api, account, plan);
		const std::string endpoints = "/api/v1/accounts/" + account + "/endpoints";

		checkApiError(plan + ": subscribe lead.created",
			api.post(endpoints, AccountSteps::endpointBody(receiver.url("/" + plan), {"lead.created"})),
			403, "plan_feature_unavailable", {"lead.created", "enterprise"});
		checkApiError(plan + ": subscribe lead.*",
			api.post(endpoints, AccountSteps::endpointBody(receiver.url("/" + plan), {"lead.*"})),
			403, "plan_feature_unavailable", {"lead.*", "enterprise"});
		checkApiError(plan + ": subscribe a catalog type and lead.created",
			api.post(endpoints, AccountSteps::endpointBody(receiver.url("/" + plan), {"customer.created", "lead.created"})),
			403, "plan_feature_unavailable", {"lead.created"});
		CHECK(AccountSteps::endpointIds(api, account).empty());

		// The star is allowed (and the refused ones did not use up basic's single endpoint).
		const Steps::Endpoint star = Steps::createEndpoint(api, account, receiver.url("/" + plan), {"*"});
		checkApiError(plan + ": PATCH the endpoint to lead.*",
			api.patch(endpoints + "/" + star.id, R"({"eventTypes":["lead.*"]})"),
			403, "plan_feature_unavailable", {"lead.*"});
		CHECK(AccountSteps::stringsOf(AccountSteps::getEndpoint(api, account, star.id), "eventTypes")
			== std::vector<std::string>{"*"});

		checkApiError(plan + ": ingest lead.created",
			api.post("/api/v1/accounts/" + account + "/events", R"({"type":"lead.created","data":{"lead":1}})"),
			403, "plan_feature_unavailable", {"lead.created"});

		// Other events still reach the star endpoint.
		const Steps::Event event = Steps::postEvent(api, account, "customer.created", R"({"customer":1})");
		CHECK(event.status == 202);
		CHECK(event.endpointIds == std::vector<std::string>{star.id});
	}

	Steps::createAccount(api, "on-enterprise", "enterprise");
	const Steps::Endpoint exact = Steps::createEndpoint(api, "on-enterprise", receiver.url("/enterprise-exact"), {"lead.created"});
	const Steps::Endpoint prefix = Steps::createEndpoint(api, "on-enterprise", receiver.url("/enterprise-prefix"), {"lead.*"});
	const Steps::Endpoint star = Steps::createEndpoint(api, "on-enterprise", receiver.url("/enterprise-star"), {"*"});
	const Steps::Event lead = Steps::postEvent(api, "on-enterprise", "lead.created", R"({"lead":2})");
	CHECK(lead.status == 202);
	std::vector<std::string> leadEndpoints = lead.endpointIds;
	std::sort(leadEndpoints.begin(), leadEndpoints.end());
	std::vector<std::string> expected = {exact.id, prefix.id, star.id};
	std::sort(expected.begin(), expected.end());
	CHECK(leadEndpoints == expected);

	// 3 customer.created (one per plan below enterprise) + 3 lead.created on enterprise, nothing else.
	REQUIRE(receiver.waitForCount(6, DEADLINE));
	CHECK_FALSE(receiver.waitForCount(7, Poco::Timespan(0, 500000)));
	std::multiset<std::string> received;
	for (const RecordedRequest& request: receiver.requests())
		received.insert(request.uri + " " + Steps::stringOf(ApiClient::parseObject(request.body), "type"));
	CHECK(received == std::multiset<std::string>{
		"/basic customer.created", "/professional customer.created", "/business customer.created",
		"/enterprise-exact lead.created", "/enterprise-prefix lead.created", "/enterprise-star lead.created"});
}

TEST_CASE("Every invalid endpoint field is refused with 422 naming the field and changes nothing", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;  // allowPrivateDestinations = true: the receiver on loopback is fine
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme", "enterprise");
	const Steps::Endpoint existing = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"},
		R"("authHeader":{"key":"X-Api-Key","value":"k3y-v4lue"})");
	const std::string endpointsPath = "/api/v1/accounts/acme/endpoints";
	const std::string existingPath = endpointsPath + "/" + existing.id;
	const std::string before = ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", existing.id));
	const std::string url = Steps::jsonString(receiver.url("/new"));
	const std::string types = R"("eventTypes":["customer.created"])";
	const std::string hostPort = "127.0.0.1:" + std::to_string(receiver.port());
	const std::string credentialsUrl = Steps::jsonString("http://user:pw@" + hostPort + "/new");
	const std::string userUrl = Steps::jsonString("http://user@" + hostPort + "/new");
	const std::string spaceUrl = Steps::jsonString("http://" + hostPort + "/a b");
	const std::string crlfUrl = Steps::jsonString("http://" + hostPort + "/a\r\nX-Injected: 1");
	const std::string tabUrl = Steps::jsonString("http://" + hostPort + "/a\tb");
	const std::string fragmentUrl = Steps::jsonString("http://" + hostPort + "/new#part");

	struct Case
	{
		std::string what;
		std::string postBody;    ///< the whole body of a create
		std::string patchBody;   ///< the same mistake as an update of the existing endpoint; "" for none
		std::string field;       ///< what the message must name
	};
	const std::vector<Case> cases = {
		// url
		{"url with the ftp scheme", R"({"url":"ftp://example.com/hook",)" + types + "}", R"({"url":"ftp://example.com/hook"})", "url"},
		{"url with the file scheme", R"({"url":"file:///etc/passwd",)" + types + "}", R"({"url":"file:///etc/passwd"})", "url"},
		{"url without a scheme", R"({"url":"example.com/hook",)" + types + "}", R"({"url":"example.com/hook"})", "url"},
		{"url http:// without a host", R"({"url":"http://",)" + types + "}", R"({"url":"http://"})", "url"},
		{"url https:///hook without a host", R"({"url":"https:///hook",)" + types + "}", R"({"url":"https:///hook"})", "url"},
		{"url with a port but no host", R"({"url":"http://:8080/hook",)" + types + "}", R"({"url":"http://:8080/hook"})", "url"},
		{"url that is not a string", R"({"url":42,)" + types + "}", R"({"url":42})", "url"},
		{"neither url nor email", "{" + types + "}", R"({"url":null})", "email"},
		// URLs the HTTP transport could never send (issue 15): refused at create, not failed at every attempt.
		{"url with credentials", "{\"url\":" + credentialsUrl + "," + types + "}", "{\"url\":" + credentialsUrl + "}", "url"},
		{"url with a user and no password", "{\"url\":" + userUrl + "," + types + "}", "{\"url\":" + userUrl + "}", "url"},
		{"url with a space", "{\"url\":" + spaceUrl + "," + types + "}", "{\"url\":" + spaceUrl + "}", "url"},
		{"url with CR LF and a header", "{\"url\":" + crlfUrl + "," + types + "}", "{\"url\":" + crlfUrl + "}", "url"},
		{"url with a tab", "{\"url\":" + tabUrl + "," + types + "}", "{\"url\":" + tabUrl + "}", "url"},
		{"url with a backslash before an @", R"({"url":"http://127.0.0.1\\@example.com/",)" + types + "}",
			R"({"url":"http://127.0.0.1\\@example.com/"})", "url"},
		{"url with a #fragment", "{\"url\":" + fragmentUrl + "," + types + "}", "{\"url\":" + fragmentUrl + "}", "url"},
		// authHeader
		{"authHeader key Host", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"Host","value":"evil.example"}})",
			R"({"authHeader":{"key":"Host","value":"evil.example"}})", "authHeader"},
		{"authHeader key host (lower case)", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"host","value":"evil.example"}})",
			R"({"authHeader":{"key":"host","value":"evil.example"}})", "authHeader"},
		{"authHeader key Content-Type", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"Content-Type","value":"text/plain"}})",
			R"({"authHeader":{"key":"Content-Type","value":"text/plain"}})", "authHeader"},
		{"authHeader key Content-Length", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"Content-Length","value":"0"}})",
			R"({"authHeader":{"key":"Content-Length","value":"0"}})", "authHeader"},
		{"authHeader key webhook-signature", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"webhook-signature","value":"v1,forged"}})",
			R"({"authHeader":{"key":"webhook-signature","value":"v1,forged"}})", "authHeader"},
		{"authHeader key Webhook-Id", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"Webhook-Id","value":"msg_forged"}})",
			R"({"authHeader":{"key":"Webhook-Id","value":"msg_forged"}})", "authHeader"},
		{"authHeader key webhook-timestamp", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"webhook-timestamp","value":"1"}})",
			R"({"authHeader":{"key":"webhook-timestamp","value":"1"}})", "authHeader"},
		{"authHeader key that is not a header name", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X Api: Key","value":"v"}})",
			R"({"authHeader":{"key":"X Api: Key","value":"v"}})", "authHeader"},
		{"authHeader empty key", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"","value":"v"}})",
			R"({"authHeader":{"key":"","value":"v"}})", "authHeader"},
		{"authHeader value with LF", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\nX-Injected: 1"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\nX-Injected: 1"}})", "authHeader"},
		{"authHeader value with CR", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\rb"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\rb"}})", "authHeader"},
		{"authHeader value with VT", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\u000bb"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\u000bb"}})", "authHeader.value"},
		{"authHeader value with DEL", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\u007fb"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\u007fb"}})", "authHeader.value"},
		{"authHeader value with NUL", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\u0000b"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\u0000b"}})", "authHeader.value"},
		{"authHeader value with U+2028", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\u2028b"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\u2028b"}})", "authHeader.value"},
		{"authHeader value with a C1 control", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api-Key","value":"a\u0085b"}})",
			R"({"authHeader":{"key":"X-Api-Key","value":"a\u0085b"}})", "authHeader.value"},
		{"authHeader key with a control character", "{\"url\":" + url + "," + types + R"(,"authHeader":{"key":"X-Api\u0001Key","value":"v"}})",
			R"({"authHeader":{"key":"X-Api\u0001Key","value":"v"}})", "authHeader.key"},
		// eventTypes
		{"eventTypes empty", "{\"url\":" + url + R"(,"eventTypes":[]})", R"({"eventTypes":[]})", "eventTypes"},
		{"eventTypes missing", "{\"url\":" + url + "}", "", "eventTypes"},
		{"eventTypes not an array", "{\"url\":" + url + R"(,"eventTypes":"customer.created"})", R"({"eventTypes":"customer.created"})", "eventTypes"},
		{"eventTypes with an unknown type", "{\"url\":" + url + R"(,"eventTypes":["appointment.booking.exploded"]})",
			R"({"eventTypes":["appointment.booking.exploded"]})", "eventTypes"},
		{"eventTypes with a known and an unknown type", "{\"url\":" + url + R"(,"eventTypes":["customer.created","customer.exploded"]})",
			R"({"eventTypes":["customer.created","customer.exploded"]})", "eventTypes"},
		{"eventTypes wildcard in the middle", "{\"url\":" + url + R"(,"eventTypes":["appointment.*.created"]})",
			R"({"eventTypes":["appointment.*.created"]})", "eventTypes"},
		{"eventTypes wildcard without a dot", "{\"url\":" + url + R"(,"eventTypes":["appointment*"]})",
			R"({"eventTypes":["appointment*"]})", "eventTypes"},
		{"eventTypes wildcard at the start", "{\"url\":" + url + R"(,"eventTypes":["*.created"]})",
			R"({"eventTypes":["*.created"]})", "eventTypes"},
		{"eventTypes double star", "{\"url\":" + url + R"(,"eventTypes":["**"]})", R"({"eventTypes":["**"]})", "eventTypes"},
		{"eventTypes entry that is not a string", "{\"url\":" + url + R"(,"eventTypes":[1]})", R"({"eventTypes":[1]})", "eventTypes"},
		// hierarchy
		{"hierarchy unknown", "{\"url\":" + url + "," + types + R"(,"hierarchy":"deep"})", R"({"hierarchy":"deep"})", "hierarchy"},
		{"hierarchy template that does not exist", "{\"url\":" + url + "," + types + R"(,"hierarchy":"template:does-not-exist"})",
			R"({"hierarchy":"template:does-not-exist"})", "hierarchy"},
		{"hierarchy empty", "{\"url\":" + url + "," + types + R"(,"hierarchy":""})", R"({"hierarchy":""})", "hierarchy"},
		// email
		{"email with two addresses (comma)", R"({"email":"a@example.com, b@example.com",)" + types + "}",
			R"({"email":"a@example.com, b@example.com"})", "email"},
		{"email with two addresses (semicolon)", R"({"email":"a@example.com;b@example.com",)" + types + "}",
			R"({"email":"a@example.com;b@example.com"})", "email"},
		{"email with a display name", R"({"email":"ACME Bookings <bookings@example.com>",)" + types + "}",
			R"({"email":"ACME Bookings <bookings@example.com>"})", "email"},
		{"email with CR LF and a header", R"({"email":"a@example.com\r\nBcc: victim@example.com",)" + types + "}",
			R"({"email":"a@example.com\r\nBcc: victim@example.com"})", "email"},
		{"email with a trailing LF", R"({"email":"a@example.com\n",)" + types + "}", R"({"email":"a@example.com\n"})", "email"},
		{"email without a domain", R"({"email":"bookings",)" + types + "}", R"({"email":"bookings"})", "email"},
		{"email to an address literal", R"({"email":"a@[127.0.0.1]",)" + types + "}", R"({"email":"a@[127.0.0.1]"})", "email"},
		{"email with ESC", R"({"email":"a\u001b@example.com",)" + types + "}", R"({"email":"a\u001b@example.com"})", "email"},
		{"email with U+2029", R"({"email":"a@example.com\u2029",)" + types + "}", R"({"email":"a@example.com\u2029"})", "email"},
		{"email with non-ASCII", R"({"email":"j\u00fcrgen@example.com",)" + types + "}", R"({"email":"j\u00fcrgen@example.com"})", "email"},
		// description
		{"description with CR LF", "{\"url\":" + url + "," + types + R"(,"description":"ERP\r\nX-Injected: 1"})",
			R"({"description":"ERP\r\nX-Injected: 1"})", "description"},
		{"description with NUL", "{\"url\":" + url + "," + types + R"(,"description":"ERP\u0000"})", R"({"description":"ERP\u0000"})", "description"},
		{"description with ESC", "{\"url\":" + url + "," + types + R"(,"description":"\u001b[31mred"})",
			R"({"description":"\u001b[31mred"})", "description"},
		{"description with U+2028", "{\"url\":" + url + "," + types + R"(,"description":"a\u2028b"})", R"({"description":"a\u2028b"})", "description"},
	};

	// The error names the field apart too (`field`), for clients that show it beside the input:
	// the field itself or a part of it (authHeader.key, eventTypes[0]); none when the fault is
	// of two fields together.
	const auto checkField = [](const std::string& what, const ApiResponse& response, const Case& c) {
		INFO(what << " -> " << response.describe());
		const std::string field = errorField(response);
		if (c.what == "neither url nor email") CHECK(field.empty());
		else CHECK((!field.empty() && (field.rfind(c.field, 0) == 0 || c.field.rfind(field, 0) == 0)));
	};
	for (const Case& c: cases)
	{
		const ApiResponse created = api.post(endpointsPath, c.postBody);
		checkApiError("create, " + c.what + ": " + c.postBody, created, 422, "validation_failed", {c.field});
		checkField("create, " + c.what, created, c);
		if (!c.patchBody.empty())
		{
			const ApiResponse patched = api.patch(existingPath, c.patchBody);
			checkApiError("update, " + c.what + ": " + c.patchBody, patched, 422, "validation_failed", {c.field});
			checkField("update, " + c.what, patched, c);
		}
	}

	// Nothing was created or changed.
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{existing.id});
	CHECK(ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", existing.id)) == before);
	CHECK(Steps::intOf(AccountSteps::getAccount(api, "acme"), "endpointCount") == 1);

	// The existing endpoint still delivers with its header.
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", R"({"booking":1})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(receiver.waitForCount(1, DEADLINE));
	CHECK(receiver.requests()[0].uri == "/hook");
	CHECK(receiver.requests()[0].headers.get("X-Api-Key", "") == "k3y-v4lue");
}

TEST_CASE("An account name with a control character is refused with 422 naming the field and changes nothing", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	const ApiResponse created = api.post("/api/v1/accounts", R"({"id":"acme","name":"ACME Zürich"})");
	INFO("create -> " << created.describe());
	REQUIRE(created.status == 201);
	const std::string before = ApiClient::canonical(AccountSteps::getAccount(api, "acme"));

	for (const std::string name: {R"(ACME\r\nX-Injected: 1)", R"(ACME\u0000)", R"(\u001b[2JACME)", R"(ACME\u0085)", R"(ACME\u2028)", R"(ACME\u007f)"})
	{
		checkApiError("create with name " + name, api.post("/api/v1/accounts", R"({"id":"other","name":")" + name + "\"}"),
			422, "validation_failed", {"name: contains the control character"});
		checkApiError("update with name " + name, api.patch("/api/v1/accounts/acme", R"({"name":")" + name + "\"}"),
			422, "validation_failed", {"name: contains the control character"});
	}
	CHECK(accountIds(api) == std::set<std::string>{"acme"});
	CHECK(ApiClient::canonical(AccountSteps::getAccount(api, "acme")) == before);
}

TEST_CASE("A private destination is refused at create and update naming hookgate.security.allowPrivateDestinations", "[e2e]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.security.allowPrivateDestinations", "false"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	// Webhooks stay off: nothing is ever sent from this gateway.
	const ApiResponse account = api.post("/api/v1/accounts", R"({"id":"acme","name":"ACME","plan":"enterprise"})");
	INFO("create account -> " << account.describe());
	REQUIRE(account.status == 201);
	const std::string endpointsPath = "/api/v1/accounts/acme/endpoints";

	// A public address literal is accepted (no DNS, no connection at create).
	const Steps::Endpoint publicEndpoint = Steps::createEndpoint(api, "acme", "https://93.184.216.34/hook", {"customer.created"});
	const std::string before = ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", publicEndpoint.id));

	const std::string port = std::to_string(Receiver::unusedPort());
	const std::vector<std::string> privateUrls = {
		"http://127.0.0.1:" + port + "/hook",          // loopback
		"http://127.1.2.3/hook",                       // loopback /8
		"http://localhost:" + port + "/hook",          // resolves to loopback
		"http://10.1.2.3/hook",                        // private
		"http://172.16.0.1/hook",                      // private
		"https://192.168.1.10/hook",                   // private
		"http://169.254.169.254/latest/meta-data/",    // link-local (cloud metadata)
		"http://0.0.0.0:" + port + "/hook",            // unspecified
		"http://[::1]:" + port + "/hook",              // IPv6 loopback
		"http://[::]/hook",                            // IPv6 unspecified
		"http://[fe80::1]/hook",                       // IPv6 link-local
		"http://[fd00::1]/hook",                       // IPv6 unique local (private)
		"http://[::ffff:10.0.0.1]/hook",               // IPv4-mapped private
		"http://[::ffff:127.0.0.1]:" + port + "/hook", // IPv4-mapped loopback
		// Seen accepted before the registry table (issue 15):
		"http://[::ffff:0:127.0.0.1]/",                // SIIT IPv4-translated loopback
		"http://[::ffff:0:7f00:1]/",                   // the same in hex
		"http://[::ffff:0:169.254.169.254]/",          // translated cloud metadata
		"http://[64:ff9b:1::7f00:1]/",                 // local-use NAT64
		"http://[64:ff9b::7f00:1]/",                   // NAT64 of loopback
		"http://198.18.0.1/",                          // benchmarking
		"http://192.0.0.1/",                           // IETF protocol assignments
		"http://[2001:db8::1]/",                       // documentation
	};
	for (const auto& url: privateUrls)
	{
		checkApiError("create with " + url, api.post(endpointsPath, AccountSteps::endpointBody(url, {"customer.created"})),
			422, "validation_failed", {"url", "hookgate.security.allowPrivateDestinations"});
		checkApiError("update to " + url, api.patch(endpointsPath + "/" + publicEndpoint.id, "{\"url\":" + Steps::jsonString(url) + "}"),
			422, "validation_failed", {"url", "hookgate.security.allowPrivateDestinations"});
	}
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{publicEndpoint.id});
	CHECK(ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", publicEndpoint.id)) == before);
}

TEST_CASE("A wrong method on a known path is 405 and an unknown endpoint is 404", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"customer":1})");
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string account = "/api/v1/accounts/acme";
	const std::string endpointPath = account + "/endpoints/" + endpoint.id;
	const std::string deliveryPath = account + "/deliveries/" + event.deliveryIds[0];

	struct Case
	{
		std::string method;
		std::string path;
	};
	const std::vector<Case> wrongMethods = {
		{"PUT", "/api/v1/accounts"},
		{"PUT", account},
		{"POST", account},
		{"PUT", account + "/endpoints"},
		{"DELETE", account + "/endpoints"},
		{"PUT", endpointPath},
		{"POST", endpointPath},
		{"GET", account + "/events"},
		{"DELETE", account + "/events"},
		{"GET", account + "/tokens"},
		{"DELETE", endpointPath + "/secret"},
		{"GET", endpointPath + "/secret/rotate"},
		{"POST", endpointPath + "/stats"},
		{"POST", endpointPath + "/deliveries"},
		{"DELETE", deliveryPath},
		{"POST", deliveryPath + "/raw"},
	};
	for (const Case& c: wrongMethods)
	{
		const ApiResponse response = api.send(request(c.method, c.path, GatewayProcess::ADMIN_TOKEN));
		checkApiError(c.method + " " + c.path, response, 405, "method_not_allowed", {c.method});
		INFO(c.method << " " << c.path << " -> " << response.describe());
		CHECK_FALSE(response.headers.get("Allow", "").empty());
	}

	const std::string unknown = account + "/endpoints/ep_doesnotexist000000000";
	checkApiError("GET unknown endpoint", api.get(unknown), 404, "not_found", {"ep_doesnotexist000000000"});
	checkApiError("PATCH unknown endpoint", api.patch(unknown, R"({"enabled":false})"), 404, "not_found", {"ep_doesnotexist000000000"});
	checkApiError("DELETE unknown endpoint", api.del(unknown), 404, "not_found", {"ep_doesnotexist000000000"});
	checkApiError("GET secret of unknown endpoint", api.get(unknown + "/secret"), 404, "not_found");
	checkApiError("rotate secret of unknown endpoint", api.post(unknown + "/secret/rotate", "{}"), 404, "not_found");
	checkApiError("stats of unknown endpoint", api.get(unknown + "/stats"), 404, "not_found");
	checkApiError("deliveries of unknown endpoint", api.get(unknown + "/deliveries"), 404, "not_found");
	checkApiError("endpoints of an unknown account", api.get("/api/v1/accounts/nobody/endpoints"), 404, "not_found", {"nobody"});
	checkApiError("token for an unknown account", api.post("/api/v1/accounts/nobody/tokens", "{}"), 404, "not_found", {"nobody"});
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{endpoint.id});
}

// Issue 5: accounts and endpoints declared in the properties file (docs/configuration.md).

#include "AccountSteps.h"
#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "SignatureVerifier.h"
#include "Steps.h"

#include <catch2/catch.hpp>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);
const std::string ENV_NAME = "HOOKGATE_E2E_ERP_KEY";
const std::string ENV_VALUE = "erp-key-from-env-4711";
const std::string EP = "hookgate.accounts.acme.endpoints.erp";

void declareAcme(GatewayProcess& gateway, const std::string& url, const std::string& eventTypes)
{
	gateway.setProperty("hookgate.accounts.acme.name", "ACME AG");
	gateway.setProperty("hookgate.accounts.acme.plan", "professional");
	gateway.setProperty("hookgate.accounts.acme.webhooksEnabled", "true");
	gateway.setProperty(EP + ".url", url);
	gateway.setProperty(EP + ".authHeader.key", "Ocp-Apim-Subscription-Key");
	gateway.setProperty(EP + ".authHeader.value", "${env." + ENV_NAME + "}");
	gateway.setProperty(EP + ".eventTypes", eventTypes);
}

/// Posts an event and checks the request the receiver gets: signed with the
/// secret, with the auth header from the environment.
void checkDelivered(const ApiClient& api, Receiver& receiver, const std::string& type, const std::string& secret)
{
	const std::size_t before = receiver.count();
	const Steps::Event event = Steps::postEvent(api, "acme", type, R"({"declared":true})");
	CHECK(event.status == 202);
	CHECK(event.endpointIds == std::vector<std::string>{"ep_acme_erp"});
	REQUIRE(receiver.waitForCount(before + 1, DEADLINE));
	const RecordedRequest request = receiver.requests().back();
	INFO("received " << request.uri << ": " << request.body);
	CHECK(Steps::stringOf(ApiClient::parseObject(request.body), "type") == type);
	CHECK(request.headers.get("Ocp-Apim-Subscription-Key", "") == ENV_VALUE);
	const std::string id = request.headers.get("webhook-id", "");
	const std::string timestamp = request.headers.get("webhook-timestamp", "");
	CHECK(id == event.id);
	CHECK(SignatureVerifier(secret).verify(request.headers.get("webhook-signature", ""), id, timestamp, request.body));
}

} // namespace

TEST_CASE("A declared account and endpoint receive events and are updated by editing the file and restarting", "[e2e]")
{
	Receiver first;
	first.start();
	Receiver second;
	second.start();
	GatewayProcess gateway;
	gateway.setEnvironment(ENV_NAME, ENV_VALUE);
	declareAcme(gateway, first.url("/erp"), "appointment.booking.created, appointment.booking.cancelled");
	gateway.setProperty(EP + ".maxInFlight", "3");
	gateway.setProperty(EP + ".rateLimit", "40");
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const Poco::JSON::Object::Ptr account = AccountSteps::getAccount(api, "acme");
	INFO("account: " << ApiClient::canonical(account));
	CHECK(Steps::stringOf(account, "name") == "ACME AG");
	CHECK(Steps::stringOf(account, "plan") == "professional");
	CHECK_FALSE(Steps::isFalse(account, "webhooksEnabled"));
	CHECK(Steps::intOf(account, "endpointCount") == 1);
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{"ep_acme_erp"});

	const Poco::JSON::Object::Ptr endpoint = AccountSteps::getEndpoint(api, "acme", "ep_acme_erp");
	INFO("endpoint: " << ApiClient::canonical(endpoint));
	CHECK(Steps::stringOf(endpoint, "accountId") == "acme");
	CHECK(Steps::stringOf(endpoint, "url") == first.url("/erp"));
	CHECK(AccountSteps::stringsOf(endpoint, "eventTypes")
		== std::vector<std::string>{"appointment.booking.created", "appointment.booking.cancelled"});
	REQUIRE(endpoint->getObject("authHeader"));
	CHECK(Steps::stringOf(endpoint->getObject("authHeader"), "key") == "Ocp-Apim-Subscription-Key");
	CHECK(Steps::stringOf(endpoint->getObject("authHeader"), "value") == "****4711");
	CHECK(Steps::intOf(endpoint, "maxInFlight") == 3);
	CHECK(Steps::intOf(endpoint, "rateLimit") == 40);
	const std::string createdAt = Steps::stringOf(endpoint, "createdAt");
	const std::string secret = AccountSteps::secretOf(api, "acme", "ep_acme_erp");
	CHECK(SignatureVerifier(secret).key().size() == 24);

	checkDelivered(api, first, "appointment.booking.created", secret);
	checkDelivered(api, first, "appointment.booking.cancelled", secret);
	CHECK(Steps::postEvent(api, "acme", "customer.created", "{}").deliveryIds.empty());

	// Edit the declaration and restart: new URL and event types, no rate limit, the default number
	// in flight (an empty value), same id, secret and createdAt.
	declareAcme(gateway, second.url("/erp-v2"), "customer.created");
	gateway.removeProperty(EP + ".rateLimit");
	gateway.setProperty(EP + ".maxInFlight", "");
	gateway.restart();
	api.setPort(gateway.port());

	const Poco::JSON::Object::Ptr updated = AccountSteps::getEndpoint(api, "acme", "ep_acme_erp");
	INFO("endpoint after the restart: " << ApiClient::canonical(updated));
	CHECK(Steps::stringOf(updated, "url") == second.url("/erp-v2"));
	CHECK(AccountSteps::stringsOf(updated, "eventTypes") == std::vector<std::string>{"customer.created"});
	CHECK(Steps::stringOf(updated, "createdAt") == createdAt);
	CHECK(Steps::hasNull(updated, "maxInFlight"));
	CHECK(Steps::hasNull(updated, "rateLimit"));
	CHECK(AccountSteps::secretOf(api, "acme", "ep_acme_erp") == secret);
	CHECK(AccountSteps::endpointIds(api, "acme") == std::vector<std::string>{"ep_acme_erp"});
	CHECK(Steps::intOf(AccountSteps::getAccount(api, "acme"), "endpointCount") == 1);

	const std::size_t firstCount = first.count();
	checkDelivered(api, second, "customer.created", secret);
	CHECK(Steps::postEvent(api, "acme", "appointment.booking.created", "{}").deliveryIds.empty());
	CHECK_FALSE(second.waitForCount(2, Poco::Timespan(0, 500000)));
	CHECK(first.count() == firstCount);
}

TEST_CASE("A broken declaration stops the start-up naming the full key", "[e2e]")
{
	struct Case
	{
		std::string what;
		GatewayProcess::Properties properties;
		std::string key;
	};
	const std::string url = "http://127.0.0.1:" + std::to_string(Receiver::unusedPort()) + "/erp";
	const GatewayProcess::Properties valid = {
		{"hookgate.accounts.acme.plan", "professional"},
		{EP + ".url", url},
		{EP + ".eventTypes", "appointment.booking.created"},
	};
	auto with = [&](const GatewayProcess::Properties& changes)
	{
		GatewayProcess::Properties p = valid;
		for (const auto& c: changes) p[c.first] = c.second;
		return p;
	};
	const std::vector<Case> cases = {
		{"url with the ftp scheme", with({{EP + ".url", "ftp://x"}}), EP + ".url"},
		{"url without a host", with({{EP + ".url", "http://"}}), EP + ".url"},
		{"no event types", with({{EP + ".eventTypes", ""}}), EP + ".eventTypes"},
		{"an unknown event type", with({{EP + ".eventTypes", "appointment.booking.exploded"}}), EP + ".eventTypes"},
		{"lead.created below enterprise", with({{EP + ".eventTypes", "lead.created"}}), EP + ".eventTypes"},
		{"a reserved auth header", with({{EP + ".authHeader.key", "Host"}, {EP + ".authHeader.value", "x"}}), EP + ".authHeader"},
		{"an environment variable that is not set",
			with({{EP + ".authHeader.key", "X-Api-Key"}, {EP + ".authHeader.value", "${env.HOOKGATE_E2E_NOT_SET_ANYWHERE}"}}),
			EP + ".authHeader.value"},
		{"an unknown plan", with({{"hookgate.accounts.acme.plan", "gold"}}), "hookgate.accounts.acme.plan"},
		{"an email with two addresses", with({{EP + ".email", "a@example.com, b@example.com"}}), EP + ".email"},
		{"an email to an address literal", with({{EP + ".email", "a@[127.0.0.1]"}}), EP + ".email"},
		{"a url with credentials", with({{EP + ".url", "http://user:pw@127.0.0.1/erp"}}), EP + ".url"},
		{"an auth header value with VT", with({{EP + ".authHeader.key", "X-Api-Key"}, {EP + ".authHeader.value", "a\x0b" "b"}}),
			EP + ".authHeader.value: contains the control character U+000B"},
		{"a description with ESC", with({{EP + ".description", "\x1b[31mred"}}), EP + ".description: contains the control character U+001B"},
		{"an account name with ESC", with({{"hookgate.accounts.acme.name", "ACME\x1b[2J"}}),
			"hookgate.accounts.acme.name: contains the control character U+001B"},
		{"maxInFlight 0", with({{EP + ".maxInFlight", "0"}}), EP + ".maxInFlight: expected an integer from 1 to 1024"},
		{"maxInFlight over 1024", with({{EP + ".maxInFlight", "1025"}}), EP + ".maxInFlight: expected an integer from 1 to 1024"},
		{"maxInFlight not a number", with({{EP + ".maxInFlight", "eight"}}), EP + ".maxInFlight: expected an integer from 1 to 1024"},
		{"rateLimit negative", with({{EP + ".rateLimit", "-5"}}), EP + ".rateLimit: expected an integer from 1 to 10000"},
		{"rateLimit over 10000", with({{EP + ".rateLimit", "10001"}}), EP + ".rateLimit: expected an integer from 1 to 10000"},
		{"rateLimit fractional", with({{EP + ".rateLimit", "2.5"}}), EP + ".rateLimit: expected an integer from 1 to 10000"},
	};
	for (const Case& c: cases)
	{
		GatewayProcess gateway(c.properties);
		const GatewayProcess::RunResult result = gateway.run({"--config=" + gateway.configPath()});
		INFO(c.what << ": exit " << result.exitCode << (result.timedOut ? " (timed out)" : "")
			<< "\nstderr: " << result.stderrText << "\nstdout: " << result.stdoutText);
		CHECK_FALSE(result.timedOut);
		CHECK(result.exitCode != 0);
		CHECK(result.stderrText.find(c.key) != std::string::npos);
		// It stopped before listening: no port file.
		Poco::UInt16 port = 0;
		CHECK_FALSE(GatewayProcess::readPortFile(gateway.portFilePath(), port));
	}
}

TEST_CASE("A declaration broken by an edit stops the restart and the stored endpoint stays as it was", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.setEnvironment(ENV_NAME, ENV_VALUE);
	declareAcme(gateway, receiver.url("/erp"), "appointment.booking.created");
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	const std::string before = ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", "ep_acme_erp"));
	const std::string secret = AccountSteps::secretOf(api, "acme", "ep_acme_erp");
	REQUIRE(gateway.terminate() == 0);

	gateway.setProperty(EP + ".url", "ftp://x");
	const GatewayProcess::RunResult broken = gateway.run({"--config=" + gateway.configPath()});
	INFO("exit " << broken.exitCode << "\nstderr: " << broken.stderrText);
	CHECK_FALSE(broken.timedOut);
	CHECK(broken.exitCode != 0);
	CHECK(broken.stderrText.find(EP + ".url") != std::string::npos);

	gateway.setProperty(EP + ".url", receiver.url("/erp"));
	gateway.start();
	api.setPort(gateway.port());
	CHECK(ApiClient::canonical(AccountSteps::getEndpoint(api, "acme", "ep_acme_erp")) == before);
	checkDelivered(api, receiver, "appointment.booking.created", secret);
}

TEST_CASE("The admin token can be taken from an environment variable", "[e2e]")
{
	const std::string adminFromEnv = "admin-token-from-the-environment";
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.api.adminToken", "${env.HOOKGATE_E2E_ADMIN_TOKEN}"}});
	gateway.setEnvironment("HOOKGATE_E2E_ADMIN_TOKEN", adminFromEnv);
	gateway.start();
	ApiClient api(gateway.port(), adminFromEnv);
	Steps::createAccount(api, "acme");
	CHECK(api.get("/api/v1/accounts").status == 200);
	CHECK(api.get("/api/v1/accounts", std::string("${env.HOOKGATE_E2E_ADMIN_TOKEN}")).status == 401);
	CHECK(api.get("/api/v1/accounts", GatewayProcess::ADMIN_TOKEN).status == 401);
	REQUIRE(gateway.terminate() == 0);

	// Without the variable the gateway does not start, naming the key and the variable.
	gateway.removeEnvironment("HOOKGATE_E2E_ADMIN_TOKEN");
	const GatewayProcess::RunResult result = gateway.run({"--config=" + gateway.configPath()});
	INFO("exit " << result.exitCode << "\nstderr: " << result.stderrText);
	CHECK_FALSE(result.timedOut);
	CHECK(result.exitCode != 0);
	CHECK(result.stderrText.find("hookgate.api.adminToken") != std::string::npos);
	CHECK(result.stderrText.find("HOOKGATE_E2E_ADMIN_TOKEN") != std::string::npos);
}

// Issue 15 (parts 1 and 2): the configuration is read strictly. An unknown key, a value out of
// its range or a configuration path that is no readable file stops the start with exit 78 and a
// message naming the file, the line and the key; Poco's own logging keys take effect.

#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>

#include <iterator>

using namespace Hookgate::Test;

namespace {

/// The line of key in the file GatewayProcess writes: a comment, then the keys in sorted order.
int lineOf(const GatewayProcess& gateway, const std::string& key)
{
	const auto& properties = gateway.properties();
	const auto found = properties.find(key);
	REQUIRE(found != properties.end());
	return 2 + static_cast<int>(std::distance(properties.begin(), found));
}

void checkRefused(const GatewayProcess::RunResult& result, const std::string& message)
{
	INFO("stdout:\n" << result.stdoutText << "\nstderr:\n" << result.stderrText);
	CHECK_FALSE(result.timedOut);
	CHECK(result.exitCode == 78);
	CHECK(result.stderrText.find(message) != std::string::npos);
}

} // namespace

TEST_CASE("A misspelt key stops the start with exit 78, naming the file, the line and the nearest known key", "[e2e][config]")
{
	for (const auto& [key, suggestion] : std::vector<std::pair<std::string, std::string>>{
		{"hookgate.delivery.timout", "hookgate.delivery.timeout"},
		{"hookgate.security.allowPrivateDestination", "hookgate.security.allowPrivateDestinations"},
		{"hookgate.smtp.mdoe", "hookgate.smtp.mode"},
		{"hookgate.htp.port", "hookgate.http.port"}})
	{
		GatewayProcess gateway(GatewayProcess::Properties{{key, "5s"}});
		const auto result = gateway.run({"--config=" + gateway.configPath()});
		checkRefused(result, gateway.configPath() + ":" + std::to_string(lineOf(gateway, key)) + ": unknown key " + key
			+ " (did you mean " + suggestion + "?)");
		CHECK_FALSE(Poco::File(gateway.portFilePath()).exists());
	}
}

TEST_CASE("A line of binary garbage in the configuration stops the start naming its line", "[e2e][config]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"\x01\x02garbage\x7f", ""}});
	const auto result = gateway.run({"--config=" + gateway.configPath()});
	checkRefused(result, gateway.configPath() + ":2: unknown key \\x01\\x02garbage\\x7F");
}

TEST_CASE("A folder as the configuration exits 78 at once with the reason", "[e2e][config]")
{
	GatewayProcess gateway;
	const auto result = gateway.run({"--config=" + gateway.directory()}, Poco::Timespan(10, 0));
	checkRefused(result, "is a folder, not a file");
	const auto missing = gateway.run({"--config=" + gateway.path("missing.properties")}, Poco::Timespan(10, 0));
	checkRefused(missing, "configuration file " + gateway.path("missing.properties") + " does not exist");
}

TEST_CASE("Durations that overflow or exceed their key's range are refused naming the key", "[e2e][config]")
{
	for (const auto& [key, value, why] : std::vector<std::tuple<std::string, std::string, std::string>>{
		{"hookgate.delivery.timeout", "5124095577h", "duration too long"},
		{"hookgate.delivery.timeout", "2h", "must be at most 1h"},
		{"hookgate.delivery.retrySchedule", "5s, 2562047789h", "duration too long"},
		{"hookgate.delivery.maxRetryAfter", "999999999999m", "duration too long"},
		{"hookgate.delivery.maxRetryAfter", "31d", "must be at most 30d"}})
	{
		GatewayProcess gateway(GatewayProcess::Properties{{key, value}});
		checkRefused(gateway.run({"--config=" + gateway.configPath()}), key + " = '" + value + "': ");
		checkRefused(gateway.run({"--config=" + gateway.configPath()}), why);
	}
}

TEST_CASE("Poco's logging keys take effect, and a broken one stops the start", "[e2e][config]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"logging.loggers.dispatcher.name", "hookgate.dispatcher"},
		{"logging.loggers.dispatcher.level", "debug"}, {"application.logger", "other"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"*"});
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"n":1})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(receiver.waitForCount(1, Poco::Timespan(20, 0)));
	// The dispatcher's debug line, which the default level (information) leaves out.
	CHECK(waitUntil([&] { return gateway.log().find("delivery " + event.deliveryIds[0] + " succeeded (") != std::string::npos; },
		Poco::Timespan(10, 0)));
	CHECK(gateway.log().find("application.logger is set by Poco at start; its value in the configuration file has no effect")
		!= std::string::npos);
	gateway.terminate();

	GatewayProcess broken(GatewayProcess::Properties{{"logging.loggers.dispatcher.name", "hookgate.dispatcher"},
		{"logging.loggers.dispatcher.level", "chatty"}});
	checkRefused(broken.run({"--config=" + broken.configPath()}), "configuration error: logging.*: ");
}

TEST_CASE("The shipped admin token is warned of on loopback at every start and refused on any other address", "[e2e][config]")
{
	const std::string warning = "hookgate.api.adminToken is the example token of the shipped file";
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.api.adminToken", "change-me-admin-token"}});
	gateway.start();
	CHECK(gateway.log().find(warning) != std::string::npos);
	gateway.restart();
	const std::string log = gateway.log();
	const auto first = log.find(warning);
	REQUIRE(first != std::string::npos);
	CHECK(log.find(warning, first + 1) != std::string::npos);  // again at the second start
	gateway.terminate();

	// Refused before it binds: no socket is opened on the open address.
	GatewayProcess open(GatewayProcess::Properties{{"hookgate.api.adminToken", "change-me-admin-token"},
		{"hookgate.http.address", "0.0.0.0"}});
	checkRefused(open.run({"--config=" + open.configPath()}),
		"hookgate.api.adminToken = '****': is the example token of the shipped file");
}

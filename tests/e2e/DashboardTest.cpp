// The dashboard's files on the API's port (hookgate.web.root): served by default from web/
// beside the templates, switched off by an empty value, and a configured folder that does
// not hold the dashboard stops the gateway with a message naming the key.

#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Wait.h"

#include <catch2/catch.hpp>

using namespace Hookgate::Test;

namespace {

ApiResponse fetch(const ApiClient& api, const std::string& path)
{
	RawRequest request;
	request.path = path;
	return api.send(request);
}

} // namespace

TEST_CASE("The dashboard is served at / from web/ beside the templates, and the API's paths stay the API's", "[e2e]")
{
	GatewayProcess gateway;  // templates from the repository, hookgate.web.root not set
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	const ApiResponse index = fetch(api, "/");
	REQUIRE(index.status == 200);
	CHECK(index.contentType == "text/html; charset=utf-8");
	CHECK(index.body.find("<script type=\"module\" src=\"js/app.js\"></script>") != std::string::npos);
	CHECK(index.headers.get("Content-Security-Policy", "").find("script-src 'self'") != std::string::npos);
	CHECK(index.headers.get("Cache-Control", "") == "no-cache");
	CHECK(fetch(api, "/js/app.js").contentType == "text/javascript; charset=utf-8");
	checkApiError("an unknown file", fetch(api, "/nothing-here.js"), 404, "not_found", {"/nothing-here.js"});
	checkApiError("a path out of the web root", fetch(api, "/%2e%2e/etc/hookgate.properties"), 404, "not_found");
	checkApiError("an unknown API path", fetch(api, "/api/v1/nothing-here"), 404, "not_found");
	CHECK(fetch(api, "/health").status == 200);
	CHECK(waitUntil([&] { return gateway.log().find("dashboard on http://127.0.0.1:") != std::string::npos; }, Poco::Timespan(10, 0)));
}

TEST_CASE("An empty hookgate.web.root switches the dashboard off", "[e2e]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.web.root", ""}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	checkApiError("/ without a dashboard", fetch(api, "/"), 404, "not_found");
	CHECK(fetch(api, "/health").status == 200);
}

TEST_CASE("A hookgate.web.root without index.html stops the gateway with a message naming the key", "[e2e]")
{
	GatewayProcess gateway;
	const std::string missing = gateway.path("no-such-folder");
	gateway.setProperty("hookgate.web.root", missing);
	const GatewayProcess::RunResult result = gateway.run({"--config=" + gateway.configPath()});
	CHECK(result.exitCode == 78);
	CHECK(result.stderrText.find("hookgate: configuration error: hookgate.web.root = '" + missing
		+ "': the dashboard's folder does not exist") != std::string::npos);
}

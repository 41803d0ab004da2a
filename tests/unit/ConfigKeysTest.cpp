#include "gateway/config/Settings.h"
#include "gateway/config/ConfigKeys.h"

#include <Poco/AutoPtr.h>
#include <Poco/RegularExpression.h>
#include <Poco/Util/MapConfiguration.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

using namespace Hookgate;

namespace {

/// Every `hookgate.` key of the shipped properties file, set or commented out (`# key = value`).
std::set<std::string> shippedKeys()
{
	std::ifstream file(std::string(HOOKGATE_SOURCE_DIR) + "/etc/hookgate.properties");
	REQUIRE(file);
	std::set<std::string> keys;
	Poco::RegularExpression line("^[#!]?\\s*(hookgate\\.[A-Za-z0-9_.]+)\\s*[=:]");
	std::string text;
	while (std::getline(file, text))
	{
		Poco::RegularExpression::MatchVec match;
		if (line.match(text, 0, match) > 1) keys.insert(text.substr(match[1].offset, match[1].length));
	}
	return keys;
}

} // namespace

TEST_CASE("every key the settings read is in the table of keys", "[config]")
{
	// Settings::load asserts that each key it reads is one of ConfigKeys; loading reads them all.
	Poco::AutoPtr<Poco::Util::MapConfiguration> c(new Poco::Util::MapConfiguration);
	c->setString("hookgate.api.adminToken", "a-long-admin-token");
	CHECK_NOTHROW(Settings::load(*c, "/srv/hookgate/etc"));
}

TEST_CASE("every key of the table is in the shipped properties file, and every key there is in the table", "[config]")
{
	const std::set<std::string> shipped = shippedKeys();
	REQUIRE(shipped.size() > 40);
	for (const auto& key : shipped)
	{
		INFO("etc/hookgate.properties: " << key);
		CHECK(ConfigKeys::known(key));
	}
	for (const auto& pattern : ConfigKeys::all())
	{
		INFO("ConfigKeys: " << pattern);
		bool found = false;
		for (const auto& key : shipped) found = found || ConfigKeys::matches(pattern, key);
		CHECK(found);
	}
}

TEST_CASE("a key is known exactly, with a star standing for one segment the operator names", "[config]")
{
	CHECK(ConfigKeys::known("hookgate.delivery.timeout"));
	CHECK_FALSE(ConfigKeys::known("hookgate.delivery.timout"));
	CHECK_FALSE(ConfigKeys::known("hookgate.delivery"));
	CHECK_FALSE(ConfigKeys::known("hookgate.delivery.timeout.extra"));
	CHECK(ConfigKeys::known("hookgate.accounts.acme.plan"));
	CHECK(ConfigKeys::known("hookgate.accounts.acme.endpoints.erp.authHeader.value"));
	CHECK_FALSE(ConfigKeys::known("hookgate.accounts..plan"));
	CHECK_FALSE(ConfigKeys::known("hookgate.accounts.acme.endpoints.erp.colour"));
	CHECK(ConfigKeys::poco("logging.loggers.root.level"));
	CHECK(ConfigKeys::poco("application.logger"));
	CHECK_FALSE(ConfigKeys::poco("hookgate.http.port"));
	CHECK_FALSE(ConfigKeys::poco("logging"));
	CHECK_FALSE(ConfigKeys::poco("logging.typo"));  // LoggingConfigurator would ignore it
}

TEST_CASE("a misspelt key is matched with the nearest known one, and a key far from all with none", "[config]")
{
	CHECK(ConfigKeys::nearest("hookgate.delivery.timout") == "hookgate.delivery.timeout");
	CHECK(ConfigKeys::nearest("hookgate.security.allowPrivateDestination") == "hookgate.security.allowPrivateDestinations");
	CHECK(ConfigKeys::nearest("hookgate.smtp.mdoe") == "hookgate.smtp.mode");
	CHECK(ConfigKeys::nearest("hookgate.htp.port") == "hookgate.http.port");
	CHECK(ConfigKeys::nearest("hookgate.HTTP.port") == "hookgate.http.port");
	CHECK(ConfigKeys::nearest("hookgate.accounts.acme.endpoints.erp.urll") == "hookgate.accounts.acme.endpoints.erp.url");
	CHECK(ConfigKeys::nearest("hookgate.accounts.acme.plann") == "hookgate.accounts.acme.plan");
	CHECK(ConfigKeys::nearest("completely.different") == "");
	CHECK(ConfigKeys::nearest("hookgate.frobnicate.everything") == "");
}

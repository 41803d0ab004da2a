#include "gateway/core/Duration.h"
#include "gateway/core/EventCatalog.h"
#include "gateway/delivery/RetryPolicy.h"
#include "gateway/config/Settings.h"

#include <Poco/AutoPtr.h>
#include <Poco/Environment.h>
#include <Poco/Util/MapConfiguration.h>

#include <catch2/catch.hpp>

using namespace Hookgate;

namespace {

Poco::AutoPtr<Poco::Util::MapConfiguration> minimal()
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> c(new Poco::Util::MapConfiguration);
	c->setString("hookgate.api.adminToken", "a-long-admin-token");
	return c;
}

std::string messageOf(const Poco::Util::AbstractConfiguration& c)
{
	try
	{
		Settings::load(c, "/srv/hookgate/etc");
	}
	catch (const ConfigException& e)
	{
		return e.message();
	}
	return "(no error)";
}

std::string loadError(const std::string& key, const std::string& value)
{
	auto c = minimal();
	c->setString(key, value);
	try
	{
		Settings::load(*c, "/srv/hookgate/etc");
	}
	catch (const ConfigException& e)
	{
		return e.message();
	}
	return "(no error)";
}

} // namespace

TEST_CASE("durations take ms, s, m, h and d and refuse anything else", "[config]")
{
	CHECK(Duration::parse("250ms").totalMilliseconds() == 250);
	CHECK(Duration::parse("15s").totalSeconds() == 15);
	CHECK(Duration::parse(" 5m ").totalSeconds() == 300);
	CHECK(Duration::parse("2h").totalSeconds() == 7200);
	CHECK(Duration::parse("60d").days() == 60);
	CHECK_THROWS_AS(Duration::parse("15"), Poco::SyntaxException);
	CHECK_THROWS_AS(Duration::parse("1.5s"), Poco::SyntaxException);
	CHECK_THROWS_AS(Duration::parse("-5s"), Poco::SyntaxException);
	CHECK_THROWS_AS(Duration::parse("s"), Poco::SyntaxException);
	CHECK(Duration::format(Poco::Timespan(0, 0, 2, 0, 0)) == "2m");
	CHECK(Duration::format(Poco::Timespan(0, 1500000)) == "1500ms");
}

TEST_CASE("the defaults of docs/configuration.md apply when only the admin token is set", "[config]")
{
	const Settings s = Settings::load(*minimal(), "/srv/hookgate/etc");
	CHECK(s.httpAddress == "127.0.0.1");
	CHECK(s.httpPort == 8080);
	CHECK(s.maxBodySize == 1048576);
	CHECK(s.storeType == "sqlite");
	CHECK(s.sqlitePath == "/srv/hookgate/etc/var/hookgate.db");
	CHECK(s.templatesDir == "/srv/hookgate/templates");
	CHECK(s.payloadSource == "hookgate");
	CHECK(s.workers == 64);
	CHECK(s.maxInFlight == 8);
	CHECK(s.timeout.totalSeconds() == 15);
	REQUIRE(s.retrySchedule.size() == 7);
	CHECK(s.retrySchedule[0].totalSeconds() == 5);
	CHECK(s.retrySchedule[6].totalHours() == 10);
	CHECK(s.jitter == Approx(0.2));
	CHECK(s.pollInterval.totalSeconds() == 1);
	CHECK_FALSE(s.allowPrivateDestinations);
	CHECK(s.smtpMode == "pickup");
	CHECK(s.retentionPeriod.days() == 60);
	CHECK(s.planLimits.at("basic") == 1);
	CHECK(s.planLimits.at("enterprise") == 10);
	CHECK(s.httpThreads == 64);
	CHECK(s.maxConnections == 1000);
	CHECK(s.maxConnectionsPerClient == 32);
	CHECK(s.headerTimeout.totalSeconds() == 10);
	CHECK(s.bodyTimeout.totalSeconds() == 30);
	CHECK(s.keepAliveTimeout.totalSeconds() == 5);
	CHECK(s.shutdownGrace.totalSeconds() == 10);
}

TEST_CASE("the API port's connection limits are checked against each other and named by key", "[config]")
{
	CHECK(loadError("hookgate.http.maxConnectionsPerClient", "2000") ==
		"hookgate.http.maxConnectionsPerClient = '2000': must not be larger than hookgate.http.maxConnections (1000)");
	CHECK(loadError("hookgate.http.threads", "1") == "hookgate.http.threads = '1': expected a number from 2 to 4096");
	CHECK(loadError("hookgate.http.headerTimeout", "10") ==
		"hookgate.http.headerTimeout = '10': expected a unit of ms, s, m, h or d after the number, got '10'");
	CHECK(loadError("hookgate.http.bodyTimeout", "10ms") == "hookgate.http.bodyTimeout = '10ms': must be at least 100ms");
	CHECK(loadError("hookgate.shutdown.grace", "soon") ==
		"hookgate.shutdown.grace = 'soon': expected a whole number followed by ms, s, m, h or d (e.g. 15s), got 'soon'");
}

TEST_CASE("an invalid value is refused with a message naming the full key and the value", "[config]")
{
	CHECK(loadError("hookgate.delivery.workers", "lots") == "hookgate.delivery.workers = 'lots': expected a whole number");
	CHECK(loadError("hookgate.delivery.workers", "0") == "hookgate.delivery.workers = '0': expected a number from 1 to 1024");
	CHECK(loadError("hookgate.delivery.timeout", "15") ==
		"hookgate.delivery.timeout = '15': expected a unit of ms, s, m, h or d after the number, got '15'");
	CHECK(loadError("hookgate.delivery.retrySchedule", "5s, soon") ==
		"hookgate.delivery.retrySchedule = '5s, soon': entry 'soon': expected a whole number followed by ms, s, m, h or d (e.g. 15s), got 'soon'");
	CHECK(loadError("hookgate.delivery.jitter", "2") == "hookgate.delivery.jitter = '2': expected a number from 0.000000 to 1.000000");
	CHECK(loadError("hookgate.security.allowPrivateDestinations", "maybe") ==
		"hookgate.security.allowPrivateDestinations = 'maybe': expected true or false");
	CHECK(loadError("hookgate.store.type", "oracle") == "hookgate.store.type = 'oracle': expected one of sqlite, postgresql");
	CHECK(loadError("hookgate.http.port", "70000") == "hookgate.http.port = '70000': expected a number from 0 to 65535");
	CHECK(loadError("hookgate.http.address", "localhost:80") ==
		"hookgate.http.address = 'localhost:80': expected an IP address such as 127.0.0.1 or 0.0.0.0");
	CHECK(loadError("hookgate.smtp.tls", "sometimes") == "hookgate.smtp.tls = 'sometimes': expected one of none, starttls, implicit");
	CHECK(loadError("hookgate.plans.basic.endpoints", "-1") == "hookgate.plans.basic.endpoints = '-1': expected a number from 0 to 100000");
}

TEST_CASE("the admin token is required and may come from the environment", "[config]")
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> empty(new Poco::Util::MapConfiguration);
	CHECK(messageOf(*empty) == "hookgate.api.adminToken is required but not set");
	Poco::Environment::set("HOOKGATE_TEST_TOKEN", "token-from-the-environment");
	auto c = minimal();
	c->setString("hookgate.api.adminToken", "${env.HOOKGATE_TEST_TOKEN}");
	CHECK(Settings::load(*c, "/").adminToken == "token-from-the-environment");
	c->setString("hookgate.api.adminToken", "${env.HOOKGATE_TEST_TOKEN_UNSET}");
	CHECK(messageOf(*c) ==
		"hookgate.api.adminToken = '${env.HOOKGATE_TEST_TOKEN_UNSET}': environment variable HOOKGATE_TEST_TOKEN_UNSET is not set");
	c->setString("hookgate.api.adminToken", "short");
	CHECK(messageOf(*c) == "hookgate.api.adminToken = '****': must be at least 8 characters long");
}

TEST_CASE("relative paths resolve against the folder of the properties file", "[config]")
{
	auto c = minimal();
	c->setString("hookgate.store.sqlite.path", "../var/hookgate.db");
	c->setString("hookgate.http.portFile", "/run/hookgate.port");
	const Settings s = Settings::load(*c, "/srv/hookgate/etc");
	CHECK(s.sqlitePath == "/srv/hookgate/var/hookgate.db");
	CHECK(s.portFile == "/run/hookgate.port");
}

TEST_CASE("event types match exactly, by prefix.* and by *", "[catalog]")
{
	EventCatalog catalog;
	CHECK(EventCatalog::matches("*", "customer.created"));
	CHECK(EventCatalog::matches("appointment.*", "appointment.booking.created"));
	CHECK(EventCatalog::matches("appointment.booking.*", "appointment.booking.payment_failed"));
	CHECK_FALSE(EventCatalog::matches("appointment.*", "event.booking.created"));
	CHECK_FALSE(EventCatalog::matches("appointment.booking.*", "appointment.bookingx"));
	CHECK(EventCatalog::matches("customer.created", "customer.created"));
	CHECK_FALSE(EventCatalog::matches("customer.created", "customer.created.x"));
	CHECK(catalog.checkPattern("appointment.*").empty());
	CHECK(catalog.checkPattern("*").empty());
	CHECK(catalog.checkPattern("nothing.*") == "'nothing.*' matches no event type of the catalog");
	CHECK(catalog.checkPattern("booking.created") == "'booking.created' is not an event type of the catalog");
	CHECK(catalog.checkPattern("appointment.*.created") ==
		"'appointment.*.created': a wildcard is allowed only as '*' or at the end, as 'prefix.*'");
	CHECK(EventCatalog::patternNeedsEnterprise("lead.*"));
	CHECK(EventCatalog::patternNeedsEnterprise("lead.created"));
	CHECK_FALSE(EventCatalog::patternNeedsEnterprise("*"));
	CHECK(EventCatalog(std::vector<std::string>{"room.cleaned"}).contains("room.cleaned"));
}

TEST_CASE("the retry policy follows the schedule with bounded jitter and ends after the last delay", "[retry]")
{
	RetryPolicy exact({Poco::Timespan(5, 0), Poco::Timespan(300, 0)}, 0.0, Poco::Timespan(3600, 0));
	CHECK(exact.delayAfter(1)->totalSeconds() == 5);
	CHECK(exact.delayAfter(2)->totalSeconds() == 300);
	CHECK_FALSE(exact.delayAfter(3));
	CHECK(exact.delayAfter(1, Poco::Timespan(42, 0))->totalSeconds() == 42);
	CHECK(exact.delayAfter(1, Poco::Timespan(7200, 0))->totalSeconds() == 3600);
	CHECK_FALSE(exact.delayAfter(3, Poco::Timespan(1, 0)));  // Retry-After does not extend the schedule

	RetryPolicy jittered({Poco::Timespan(100, 0)}, 0.2, Poco::Timespan(3600, 0), 12345);
	bool varied = false;
	for (int i = 0; i < 200; ++i)
	{
		const auto ms = jittered.delayAfter(1)->totalMilliseconds();
		CHECK(ms >= 80000);
		CHECK(ms <= 120000);
		if (ms != 100000) varied = true;
	}
	CHECK(varied);
}

TEST_CASE("the postgresql store needs a valid libpq connection string, and its error does not repeat it", "[config]")
{
	auto c = minimal();
	c->setString("hookgate.store.type", "postgresql");
	CHECK(messageOf(*c) == "hookgate.store.postgresql.connection is required when hookgate.store.type = postgresql");
	c->setString("hookgate.store.postgresql.connection", "host=/run/postgresql dbname");
	CHECK(messageOf(*c) ==
		"hookgate.store.postgresql.connection = '****': not a libpq connection string: missing \"=\" after \"dbname\" in connection info string");
	c->setString("hookgate.store.postgresql.connection", "host=/run/postgresql colour=blue password=secret");
	CHECK(messageOf(*c) == "hookgate.store.postgresql.connection = '****': not a libpq connection string: invalid connection option \"colour\"");
	c->setString("hookgate.store.postgresql.connection", "host=db.example dbname=hookgate user=hookgate password=s3cret");
	const Settings s = Settings::load(*c, "/srv/hookgate/etc");
	CHECK(s.storeType == "postgresql");
	CHECK(s.postgresqlConnection == "host=db.example dbname=hookgate user=hookgate password=s3cret");
	c->setString("hookgate.store.type", "sqlite");
	c->setString("hookgate.store.postgresql.connection", "not checked when not used");
	CHECK(Settings::load(*c, "/srv/hookgate/etc").storeType == "sqlite");
}

TEST_CASE("the shipped admin token is accepted on a loopback address only", "[config]")
{
	auto c = minimal();
	c->setString("hookgate.api.adminToken", Settings::SHIPPED_ADMIN_TOKEN);
	for (const std::string loopback : {"127.0.0.1", "127.0.0.2", "::1"})
	{
		c->setString("hookgate.http.address", loopback);
		CHECK(Settings::load(*c, "/").usesShippedAdminToken());
	}
	for (const std::string open : {"0.0.0.0", "192.0.2.10"})
	{
		c->setString("hookgate.http.address", open);
		CHECK(messageOf(*c) == "hookgate.api.adminToken = '****': is the example token of the shipped file, which anybody can "
			"read; it is accepted only on a loopback address, and hookgate.http.address is " + open + ": set a token of your own");
	}
}

TEST_CASE("durations are refused before they overflow, and beyond each key's range", "[config]")
{
	CHECK_THROWS_AS(Duration::parse("5124095577h"), Poco::SyntaxException);  // would wrap to about 58 minutes
	CHECK_THROWS_AS(Duration::parse("9999999999999ms"), Poco::SyntaxException);
	CHECK(Duration::parse("100000d").days() == 100000);
	CHECK_THROWS_AS(Duration::parse("100001d"), Poco::SyntaxException);
	CHECK(loadError("hookgate.delivery.timeout", "5124095577h") ==
		"hookgate.delivery.timeout = '5124095577h': duration too long: '5124095577h' (at most 100000d)");
	CHECK(loadError("hookgate.delivery.timeout", "61m") == "hookgate.delivery.timeout = '61m': must be at most 1h");
	CHECK(loadError("hookgate.delivery.retrySchedule", "5s, 31d") ==
		"hookgate.delivery.retrySchedule = '5s, 31d': entry '31d': must be at most 30d");
	CHECK(loadError("hookgate.delivery.maxRetryAfter", "999999999999m") ==
		"hookgate.delivery.maxRetryAfter = '999999999999m': duration too long: '999999999999m' (at most 100000d)");
	CHECK(loadError("hookgate.delivery.leaseTime", "2d") == "hookgate.delivery.leaseTime = '2d': must be at most 1d");
}

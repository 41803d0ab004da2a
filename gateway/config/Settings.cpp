#include "gateway/config/Settings.h"
#include "gateway/core/Duration.h"
#include "gateway/payload/JsonScanner.h"
#include "gateway/config/ConfigKeys.h"

#include <Poco/Environment.h>
#include <Poco/Format.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <libpq-fe.h>

#include <typeinfo>

namespace Hookgate {

POCO_IMPLEMENT_EXCEPTION(ConfigException, Poco::InvalidArgumentException, "Configuration error")

const std::string Settings::SHIPPED_ADMIN_TOKEN = "change-me-admin-token";

namespace {

// The longest durations the keys accept (Duration::parse itself stops at Duration::MAX_DAYS).
const Poco::Timespan HOUR(0, 1, 0, 0, 0);
const Poco::Timespan DAY(1, 0, 0, 0, 0);
const Poco::Timespan MONTH(30, 0, 0, 0, 0);
const Poco::Timespan CENTURY(36500, 0, 0, 0, 0);

class Reader
{
public:
	Reader(const Poco::Util::AbstractConfiguration& config, const std::string& baseDir):
		_config(config),
		_baseDir(baseDir)
	{
	}

	[[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& why) const
	{
		throw ConfigException(key + " = '" + value + "': " + why);
	}

	/// Every key read goes through here: it must be one of ConfigKeys (which the check of the
	/// file at start and etc/hookgate.properties agree with).
	bool has(const std::string& key) const
	{
		poco_assert_msg(ConfigKeys::known(key), key.c_str());
		return _config.hasProperty(key);
	}

	std::string string(const std::string& key, const std::string& def) const
	{
		if (!has(key)) return def;
		return Settings::expandEnvironment(key, Poco::trim(_config.getString(key)));
	}

	std::string required(const std::string& key) const
	{
		if (!has(key)) throw ConfigException(key + " is required but not set");
		std::string v = string(key, "");
		if (v.empty()) fail(key, v, "must not be empty");
		return v;
	}

	Poco::Int64 integer(const std::string& key, Poco::Int64 def, Poco::Int64 min, Poco::Int64 max) const
	{
		if (!has(key)) return def;
		const std::string v = string(key, "");
		Poco::Int64 n = 0;
		if (!Poco::NumberParser::tryParse64(v, n)) fail(key, v, "expected a whole number");
		if (n < min || n > max) fail(key, v, Poco::format("expected a number from %Ld to %Ld", min, max));
		return n;
	}

	double fraction(const std::string& key, double def, double min, double max) const
	{
		if (!has(key)) return def;
		const std::string v = string(key, "");
		double d = 0;
		if (!Poco::NumberParser::tryParseFloat(v, d)) fail(key, v, "expected a number");
		if (!(d >= min && d <= max)) fail(key, v, Poco::format("expected a number from %s to %s", std::to_string(min), std::to_string(max)));
		return d;
	}

	bool boolean(const std::string& key, bool def) const
	{
		if (!has(key)) return def;
		const std::string v = Poco::toLower(string(key, ""));
		if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
		if (v == "false" || v == "no" || v == "off" || v == "0") return false;
		fail(key, v, "expected true or false");
	}

	Poco::Timespan duration(const std::string& key, const Poco::Timespan& def, const Poco::Timespan& min, const Poco::Timespan& max) const
	{
		if (!has(key)) return def;
		const std::string v = string(key, "");
		Poco::Timespan span;
		try
		{
			span = Duration::parse(v);
		}
		catch (const Poco::SyntaxException& e)
		{
			fail(key, v, e.message());
		}
		if (span < min) fail(key, v, "must be at least " + Duration::format(min));
		if (span > max) fail(key, v, "must be at most " + Duration::format(max));
		return span;
	}

	std::string choice(const std::string& key, const std::string& def, const std::vector<std::string>& allowed) const
	{
		const std::string v = string(key, def);
		for (const auto& a : allowed)
			if (v == a) return v;
		std::string list;
		for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
		fail(key, v, "expected one of " + list);
	}

	std::string path(const std::string& key, const std::string& def) const
	{
		const std::string v = string(key, def);
		if (v.empty()) return v;
		Poco::Path p(v);
		if (p.isAbsolute()) return p.toString();
		return Poco::Path(_baseDir).makeDirectory().resolve(p).makeAbsolute().toString();
	}

	std::vector<std::string> list(const std::string& key) const
	{
		std::vector<std::string> out;
		Poco::StringTokenizer tok(string(key, ""), ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
		for (const auto& t : tok) out.push_back(t);
		return out;
	}

private:
	const Poco::Util::AbstractConfiguration& _config;
	std::string _baseDir;
};

} // namespace

std::string Settings::expandEnvironment(const std::string& key, const std::string& value)
{
	std::string out;
	std::size_t pos = 0;
	while (true)
	{
		const std::size_t start = value.find("${env.", pos);
		if (start == std::string::npos) break;
		const std::size_t end = value.find('}', start);
		if (end == std::string::npos) break;
		const std::string name = value.substr(start + 6, end - start - 6);
		if (!Poco::Environment::has(name))
			throw ConfigException(key + " = '" + value + "': environment variable " + name + " is not set");
		out += value.substr(pos, start - pos);
		out += Poco::Environment::get(name);
		pos = end + 1;
	}
	out += value.substr(pos);
	return out;
}

Settings Settings::load(const Poco::Util::AbstractConfiguration& config, const std::string& baseDir)
{
	Reader r(config, baseDir);
	Settings s;

	s.httpAddress = r.string("hookgate.http.address", s.httpAddress);
	{
		Poco::Net::IPAddress address;
		if (!Poco::Net::IPAddress::tryParse(s.httpAddress, address))
			r.fail("hookgate.http.address", s.httpAddress, "expected an IP address such as 127.0.0.1 or 0.0.0.0");
	}
	s.httpPort = static_cast<int>(r.integer("hookgate.http.port", s.httpPort, 0, 65535));
	s.portFile = r.path("hookgate.http.portFile", "");
	s.httpCaFile = r.path("hookgate.http.caFile", "");
	s.httpThreads = static_cast<int>(r.integer("hookgate.http.threads", s.httpThreads, 2, 4096));
	s.maxConnections = static_cast<int>(r.integer("hookgate.http.maxConnections", s.maxConnections, 1, 1000000));
	s.maxConnectionsPerClient =
		static_cast<int>(r.integer("hookgate.http.maxConnectionsPerClient", s.maxConnectionsPerClient, 1, 1000000));
	if (s.maxConnectionsPerClient > s.maxConnections)
		r.fail("hookgate.http.maxConnectionsPerClient", std::to_string(s.maxConnectionsPerClient),
			"must not be larger than hookgate.http.maxConnections (" + std::to_string(s.maxConnections) + ")");
	s.headerTimeout = r.duration("hookgate.http.headerTimeout", s.headerTimeout, Poco::Timespan(0, 100000), HOUR);
	s.bodyTimeout = r.duration("hookgate.http.bodyTimeout", s.bodyTimeout, Poco::Timespan(0, 100000), HOUR);
	s.keepAliveTimeout = r.duration("hookgate.http.keepAliveTimeout", s.keepAliveTimeout, Poco::Timespan(0, 100000), HOUR);
	s.shutdownGrace = r.duration("hookgate.shutdown.grace", s.shutdownGrace, Poco::Timespan(0), HOUR);

	s.adminToken = r.required("hookgate.api.adminToken");
	if (s.adminToken.size() < 8) r.fail("hookgate.api.adminToken", "****", "must be at least 8 characters long");
	if (s.usesShippedAdminToken() && !Poco::Net::IPAddress(s.httpAddress).isLoopback())
		r.fail("hookgate.api.adminToken", "****", "is the example token of the shipped file, which anybody can read; it is "
			"accepted only on a loopback address, and hookgate.http.address is " + s.httpAddress + ": set a token of your own");
	s.maxBodySize = static_cast<std::size_t>(r.integer("hookgate.api.maxBodySize", static_cast<Poco::Int64>(s.maxBodySize), 256, 1LL << 30));

	s.storeType = r.choice("hookgate.store.type", s.storeType, {"sqlite", "postgresql"});
	s.sqlitePath = r.path("hookgate.store.sqlite.path", "var/hookgate.db");
	s.sqliteSynchronous = r.choice("hookgate.store.sqlite.synchronous", s.sqliteSynchronous, {"full", "normal"});
	s.postgresqlConnection = r.string("hookgate.store.postgresql.connection", "");
	if (s.storeType == "postgresql")
	{
		const std::string key = "hookgate.store.postgresql.connection";
		if (s.postgresqlConnection.empty()) throw ConfigException(key + " is required when hookgate.store.type = postgresql");
		// Checked by libpq itself; the value is not repeated: it may hold a password.
		char* error = nullptr;
		PQconninfoOption* options = PQconninfoParse(s.postgresqlConnection.c_str(), &error);
		if (!options)
		{
			std::string why = error ? error : "out of memory";
			if (error) PQfreemem(error);
			while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
			r.fail(key, "****", "not a libpq connection string: " + why);
		}
		PQconninfoFree(options);
	}

	s.payloadSource = r.string("hookgate.payload.source", s.payloadSource);
	if (!JsonScanner::isValidUTF8(s.payloadSource)) r.fail("hookgate.payload.source", s.payloadSource, "must be valid UTF-8 text");
	s.templatesDir = r.path("hookgate.templates.dir", "../templates");
	// The dashboard's files: by default the folder `web` beside the templates folder (both ship
	// side by side); empty switches the dashboard off. Checked for index.html at start.
	s.webRootConfigured = r.has("hookgate.web.root");
	if (s.webRootConfigured) s.webRoot = r.path("hookgate.web.root", "");
	else
	{
		Poco::Path web(s.templatesDir);
		web.makeDirectory();
		if (web.depth() > 0) web.popDirectory();
		web.setFileName("web");
		s.webRoot = web.toString();
	}
	s.extraEventTypes = r.list("hookgate.events.types");

	s.workers = static_cast<int>(r.integer("hookgate.delivery.workers", s.workers, 1, 1024));
	s.maxInFlight = static_cast<int>(r.integer("hookgate.delivery.maxInFlight", s.maxInFlight, 1, 1024));
	s.timeout = r.duration("hookgate.delivery.timeout", s.timeout, Poco::Timespan(0, 100000), HOUR);
	{
		const std::string key = "hookgate.delivery.retrySchedule";
		const std::string text = r.string(key, "5s, 5m, 30m, 2h, 5h, 10h, 10h");
		Poco::StringTokenizer tok(text, ",", Poco::StringTokenizer::TOK_TRIM);
		for (const auto& t : tok)
		{
			if (t.empty() && tok.count() == 1) break;  // an empty schedule: no retries
			try
			{
				s.retrySchedule.push_back(Duration::parse(t));
			}
			catch (const Poco::SyntaxException& e)
			{
				r.fail(key, text, "entry '" + t + "': " + e.message());
			}
			if (s.retrySchedule.back() > MONTH) r.fail(key, text, "entry '" + t + "': must be at most " + Duration::format(MONTH));
		}
		if (s.retrySchedule.size() > 100) r.fail(key, text, "at most 100 retries");
	}
	s.jitter = r.fraction("hookgate.delivery.jitter", s.jitter, 0.0, 1.0);
	s.pollInterval = r.duration("hookgate.delivery.pollInterval", s.pollInterval, Poco::Timespan(0, 10000), HOUR);
	s.leaseTime = r.duration("hookgate.delivery.leaseTime", s.leaseTime, Poco::Timespan(1, 0), DAY);
	if (s.leaseTime <= s.timeout)
		r.fail("hookgate.delivery.leaseTime", Duration::format(s.leaseTime),
			"must be longer than hookgate.delivery.timeout (" + Duration::format(s.timeout) + ")");
	s.maxRetryAfter = r.duration("hookgate.delivery.maxRetryAfter", s.maxRetryAfter, Poco::Timespan(0), MONTH);

	s.allowPrivateDestinations = r.boolean("hookgate.security.allowPrivateDestinations", s.allowPrivateDestinations);

	s.smtpMode = r.choice("hookgate.smtp.mode", s.smtpMode, {"pickup", "smtp"});
	s.smtpPickupDir = r.path("hookgate.smtp.pickupDir", "var/outbox");
	s.smtpHost = r.string("hookgate.smtp.host", s.smtpHost);
	s.smtpPort = static_cast<int>(r.integer("hookgate.smtp.port", s.smtpPort, 1, 65535));
	s.smtpTls = r.choice("hookgate.smtp.tls", s.smtpTls, {"none", "starttls", "implicit"});
	s.smtpUsername = r.string("hookgate.smtp.username", "");
	s.smtpPassword = r.string("hookgate.smtp.password", "");
	s.smtpFrom = r.string("hookgate.smtp.from", s.smtpFrom);
	s.smtpCaFile = r.path("hookgate.smtp.caFile", "");

	s.retentionPeriod = r.duration("hookgate.retention.period", s.retentionPeriod, Poco::Timespan(1, 0), CENTURY);
	s.sweepInterval = r.duration("hookgate.retention.sweepInterval", s.sweepInterval, Poco::Timespan(1, 0), MONTH);

	for (auto& [plan, limit] : s.planLimits)
		limit = static_cast<int>(r.integer("hookgate.plans." + plan + ".endpoints", limit, 0, 100000));

	s.logLevel = r.choice("hookgate.logging.level", s.logLevel,
		{"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"});
	s.logFile = r.path("hookgate.logging.file", "");
	return s;
}

} // namespace Hookgate

#pragma once

#include "gateway/core/Plans.h"

#include <Poco/Exception.h>
#include <Poco/Timespan.h>
#include <Poco/Util/AbstractConfiguration.h>

#include <map>
#include <string>
#include <vector>

namespace Hookgate {

/// A configuration value is missing or invalid; the message names the full key and the value.
POCO_DECLARE_EXCEPTION(, ConfigException, Poco::InvalidArgumentException)

/// Every setting of the gateway, read and validated once at start (docs/configuration.md).
struct Settings
{
	// http
	std::string httpAddress = "127.0.0.1";
	int httpPort = 8080;
	std::string portFile;
	std::string httpCaFile;
	/// Connections of the API port: threads that serve them, how many may be open in all and
	/// from one client address, and how long a request head, a body and an idle keep-alive
	/// connection may take (whole deadlines, not per byte).
	int httpThreads = 64;
	int maxConnections = 1000;
	int maxConnectionsPerClient = 32;
	Poco::Timespan headerTimeout = Poco::Timespan(10, 0);
	Poco::Timespan bodyTimeout = Poco::Timespan(30, 0);
	Poco::Timespan keepAliveTimeout = Poco::Timespan(5, 0);
	/// How long a stop waits for the attempts in flight before it aborts them.
	Poco::Timespan shutdownGrace = Poco::Timespan(10, 0);
	// api
	std::string adminToken;
	std::size_t maxBodySize = 1048576;
	// store
	std::string storeType = "sqlite";
	std::string sqlitePath;
	std::string sqliteSynchronous = "full";
	std::string postgresqlConnection;
	// payload, templates
	std::string payloadSource = "hookgate";
	std::string templatesDir;
	// web (the dashboard)
	std::string webRoot;              ///< absolute; empty = no dashboard
	bool webRootConfigured = false;   ///< hookgate.web.root was set (else the default, `web` beside the templates folder)
	std::vector<std::string> extraEventTypes;
	// delivery
	int workers = 64;
	int maxInFlight = 8;
	Poco::Timespan timeout = Poco::Timespan(15, 0);
	std::vector<Poco::Timespan> retrySchedule;
	double jitter = 0.2;
	Poco::Timespan pollInterval = Poco::Timespan(1, 0);
	Poco::Timespan leaseTime = Poco::Timespan(120, 0);
	Poco::Timespan maxRetryAfter = Poco::Timespan(3600, 0);
	// security
	bool allowPrivateDestinations = false;
	// smtp
	std::string smtpMode = "pickup";
	std::string smtpPickupDir;
	std::string smtpHost = "localhost";
	int smtpPort = 25;
	std::string smtpTls = "starttls";
	std::string smtpUsername;
	std::string smtpPassword;
	std::string smtpFrom = "hookgate@localhost";
	std::string smtpCaFile;
	// retention
	Poco::Timespan retentionPeriod = Poco::Timespan(60, 0, 0, 0, 0);
	Poco::Timespan sweepInterval = Poco::Timespan(0, 1, 0, 0, 0);
	// plans
	std::map<std::string, int> planLimits = Plans::defaultLimits();
	// logging
	std::string logLevel = "information";
	std::string logFile;  ///< empty = standard error

	/// The admin token of the shipped etc/hookgate.properties: accepted on a loopback address
	/// only (the server warns of it at every start), refused on any other.
	static const std::string SHIPPED_ADMIN_TOKEN;
	bool usesShippedAdminToken() const { return adminToken == SHIPPED_ADMIN_TOKEN; }

	/// Reads and validates every key. `baseDir` is the folder of the properties file; relative
	/// paths are resolved against it. Throws ConfigException naming the key and value.
	static Settings load(const Poco::Util::AbstractConfiguration& config, const std::string& baseDir);

	/// Replaces every `${env.NAME}` in `value` with the environment variable; throws ConfigException naming `key` if unset.
	static std::string expandEnvironment(const std::string& key, const std::string& value);
};

} // namespace Hookgate

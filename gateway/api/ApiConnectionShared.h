#pragma once

#include "gateway/core/Metrics.h"
#include "gateway/api/ConnectionLimiter.h"
#include "gateway/api/ConnectionWatchdog.h"
#include "gateway/api/LogThrottle.h"

#include <Poco/AutoPtr.h>
#include <Poco/BasicEvent.h>
#include <Poco/Logger.h>
#include <Poco/RefCountedObject.h>
#include <Poco/Timespan.h>

namespace Hookgate {

/// What the API port's connections share with their server. Reference-counted: a connection
/// thread may end after the ApiServer object.
struct ApiConnectionShared : public Poco::RefCountedObject
{
	using Ptr = Poco::AutoPtr<ApiConnectionShared>;

	struct Limits
	{
		int maxConnections = 1000;
		int maxConnectionsPerClient = 32;
		Poco::Timespan headerTimeout = Poco::Timespan(10, 0);
		Poco::Timespan bodyTimeout = Poco::Timespan(30, 0);
	};

	ApiConnectionShared(const Limits& limits, Metrics& metrics, Poco::Logger& logger):
		limits(limits),
		limiter(new ConnectionLimiter(limits.maxConnections, limits.maxConnectionsPerClient, metrics, logger)),
		metrics(metrics),
		logger(logger)
	{
	}

	const Limits limits;
	Poco::BasicEvent<const bool> stopped;  ///< fired once by ApiServer::stopAll() (true: abort requests in progress)
	ConnectionWatchdog watchdog;
	Poco::AutoPtr<ConnectionLimiter> limiter;
	Metrics& metrics;
	Poco::Logger& logger;
	LogThrottle refusals;  ///< requests refused for their framing or cut off at a deadline
};

} // namespace Hookgate

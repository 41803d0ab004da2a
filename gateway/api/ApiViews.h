#pragma once

#include "gateway/core/Model.h"

#include <Poco/JSON/Object.h>

namespace Hookgate {

/// The JSON shapes of docs/api.md: accounts, endpoints, deliveries, attempts, statistics.
class ApiViews
{
public:
	static Poco::JSON::Object::Ptr account(const Account& account, int endpointLimit);
	static Poco::JSON::Object::Ptr endpoint(const Endpoint& endpoint, const EndpointStats& stats, bool withSecret);
	static Poco::JSON::Object::Ptr stats(const EndpointStats& stats);
	static Poco::JSON::Object::Ptr delivery(const Delivery& delivery, bool withAttempts);
	static Poco::JSON::Object::Ptr attempt(const Attempt& attempt);
	static Poco::JSON::Object::Ptr ingest(const IngestResult& result);
	/// `****` and the last 4 characters (just `****` for values of 4 characters or fewer).
	static std::string mask(const std::string& secretValue);
	/// JSON null for 0, else the ISO time.
	static Poco::Dynamic::Var time(Millis millis);
};

} // namespace Hookgate

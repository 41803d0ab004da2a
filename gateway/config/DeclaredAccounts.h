#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/EventCatalog.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/config/Settings.h"
#include "gateway/core/Store.h"

#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>

namespace Hookgate {

/// Accounts and endpoints declared in the properties file (docs/configuration.md), upserted at start
/// with the same rules as the API:
///   hookgate.accounts.<account>.{name, plan, webhooksEnabled}
///   hookgate.accounts.<account>.endpoints.<name>.{url, email, authHeader.key, authHeader.value,
///       eventTypes, hierarchy, description, enabled, maxInFlight, rateLimit, secret}
/// A declared endpoint's id is `ep_<account>_<name>`; its secret is kept across restarts
/// unless `.secret` sets one. The file wins over changes made through the API.
class DeclaredAccounts
{
public:
	/// Applies every declaration; throws ConfigException naming the key at fault.
	/// payloads checks `hierarchy` (templates included), as for the API.
	/// Returns the number of endpoints declared.
	static int apply(const Poco::Util::AbstractConfiguration& config, Store& store, const Settings& settings,
		const EventCatalog& catalog, const PayloadBuilder& payloads, const Clock& clock, Poco::Logger& logger);
};

} // namespace Hookgate

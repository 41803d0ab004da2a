#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/Metrics.h"
#include "gateway/core/Model.h"
#include "gateway/core/Store.h"

#include <functional>
#include <string>

namespace Hookgate {

/// Replay and recover (docs/api.md "Deliveries"): a replay is a new delivery of the same
/// payload, labelled, counted on the original; recover replays every failed delivery of an
/// endpoint in a time window. Refusals are DomainErrors (NotFound, Archived, ValidationFailed).
class ReplayService
{
public:
	ReplayService(Store& store, const Clock& clock, Metrics& metrics, std::function<void()> wakeDispatcher);

	/// The new delivery, stored and due now.
	Delivery replay(const std::string& accountId, const std::string& deliveryId);
	/// Replays each failed, not archived delivery of the endpoint created in [since, until);
	/// returns how many. `until` must be later than `since`.
	int recover(const std::string& accountId, const std::string& endpointId, Millis since, Millis until);

private:
	Store& _store;
	const Clock& _clock;
	Metrics& _metrics;
	std::function<void()> _wakeDispatcher;
};

} // namespace Hookgate

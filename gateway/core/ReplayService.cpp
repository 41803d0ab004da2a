#include "gateway/core/ReplayService.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/Ids.h"

namespace Hookgate {

ReplayService::ReplayService(Store& store, const Clock& clock, Metrics& metrics, std::function<void()> wakeDispatcher):
	_store(store),
	_clock(clock),
	_metrics(metrics),
	_wakeDispatcher(std::move(wakeDispatcher))
{
}

Delivery ReplayService::replay(const std::string& accountId, const std::string& deliveryId)
{
	Delivery replay;
	const Millis now = _clock.now();
	switch (_store.replay(accountId, deliveryId, Ids::makeTimeOrdered("dlv_", now), now, replay))
	{
	case Store::ReplayResult::NotFound:
		throw DomainError(DomainError::Code::NotFound, "", "delivery '" + deliveryId + "' not found in account '" + accountId + "'");
	case Store::ReplayResult::Archived:
		throw DomainError(DomainError::Code::Archived, "",
			"delivery '" + deliveryId + "' is archived: its payload was deleted after the retention period");
	case Store::ReplayResult::EndpointGone:
		throw DomainError(DomainError::Code::NotFound, "",
			"the endpoint of delivery '" + deliveryId + "' was deleted; there is nothing to replay to");
	case Store::ReplayResult::Replayed:
		break;
	}
	_metrics.replayed();
	if (_wakeDispatcher) _wakeDispatcher();
	return replay;
}

int ReplayService::recover(const std::string& accountId, const std::string& endpointId, Millis since, Millis until)
{
	if (until <= since) throw DomainError::invalid("until", "must be later than since");
	int replayed = 0;
	for (const auto& id : _store.failedBetween(accountId, endpointId, since, until))
	{
		Delivery replay;
		const Millis now = _clock.now();
		// One archived or whose endpoint went meanwhile is skipped, not an error of the whole.
		if (_store.replay(accountId, id, Ids::makeTimeOrdered("dlv_", now), now, replay) == Store::ReplayResult::Replayed)
		{
			++replayed;
			_metrics.replayed();
		}
	}
	if (replayed > 0 && _wakeDispatcher) _wakeDispatcher();
	return replayed;
}

} // namespace Hookgate

#include "gateway/core/Store.h"

#include <algorithm>
#include <typeinfo>

namespace Hookgate {

POCO_IMPLEMENT_EXCEPTION(StoreUnavailableException, Poco::RuntimeException, "Store unavailable")

std::vector<ClaimedDelivery> Store::claimDue(Millis now, Millis leaseUntil, std::size_t max)
{
	auto pending = pendingEndpoints();
	std::stable_sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.nextDue < b.nextDue; });
	std::vector<ClaimedDelivery> out;
	for (const auto& p : pending)
	{
		if (out.size() >= max) break;
		if (p.nextDue == 0 || p.nextDue > now) continue;
		auto claimed = claimDue(now, leaseUntil, {EndpointClaim{p.endpointId, max - out.size()}});
		for (auto& c : claimed) out.push_back(std::move(c));
	}
	return out;
}

Millis Store::nextDueTime()
{
	Millis next = 0;
	for (const auto& p : pendingEndpoints())
		if (p.nextDue != 0 && (next == 0 || p.nextDue < next)) next = p.nextDue;
	return next;
}

} // namespace Hookgate

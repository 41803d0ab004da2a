#include "gateway/delivery/RetryPolicy.h"

#include <algorithm>

namespace Hookgate {

RetryPolicy::RetryPolicy(std::vector<Poco::Timespan> schedule, double jitter, Poco::Timespan maxRetryAfter, unsigned seed):
	_schedule(std::move(schedule)),
	_jitter(jitter),
	_maxRetryAfter(maxRetryAfter),
	_rng(seed)
{
}

std::optional<Poco::Timespan> RetryPolicy::delayAfter(int failedAttempts, std::optional<Poco::Timespan> retryAfter)
{
	if (failedAttempts < 1 || static_cast<std::size_t>(failedAttempts) > _schedule.size()) return std::nullopt;
	if (retryAfter)
	{
		const Poco::Timespan asked = std::max(Poco::Timespan(0), *retryAfter);
		return std::min(asked, _maxRetryAfter);
	}
	const Poco::Timespan base = _schedule[static_cast<std::size_t>(failedAttempts) - 1];
	if (_jitter <= 0) return base;
	double factor;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		factor = std::uniform_real_distribution<double>(1.0 - _jitter, 1.0 + _jitter)(_rng);
	}
	return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(static_cast<double>(base.totalMicroseconds()) * factor));
}

} // namespace Hookgate

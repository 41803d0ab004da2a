#pragma once

#include <Poco/Timespan.h>

#include <mutex>
#include <optional>
#include <random>
#include <vector>

namespace Hookgate {

/// When to try a failed delivery again: the configured schedule, each delay varied by
/// ± jitter, and a receiver's Retry-After honoured up to a bound.
class RetryPolicy
{
public:
	RetryPolicy(std::vector<Poco::Timespan> schedule, double jitter, Poco::Timespan maxRetryAfter, unsigned seed = std::random_device{}());

	/// The delay before the next attempt after `failedAttempts` failed attempts (1 = the first
	/// failed), or nothing when the schedule is exhausted and the delivery has failed.
	/// A Retry-After replaces the scheduled delay, capped at maxRetryAfter.
	std::optional<Poco::Timespan> delayAfter(int failedAttempts, std::optional<Poco::Timespan> retryAfter = std::nullopt);

private:
	std::vector<Poco::Timespan> _schedule;
	double _jitter;
	Poco::Timespan _maxRetryAfter;
	std::mutex _mutex;
	std::mt19937 _rng;
};

} // namespace Hookgate

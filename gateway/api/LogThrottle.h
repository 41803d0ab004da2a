#pragma once

#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <atomic>

namespace Hookgate {

/// Lets one log line through per interval and counts the others, so that a client that
/// misbehaves in a loop cannot flood the log. Thread-safe (lock-free).
class LogThrottle
{
public:
	explicit LogThrottle(const Poco::Timespan& interval = Poco::Timespan(1, 0)): _interval(interval.totalMicroseconds()) {}

	/// True when this line may be logged; `skipped` is then the number of lines held back since
	/// the last one that was.
	bool allow(int& skipped)
	{
		const Poco::Timestamp::TimeVal now = Poco::Timestamp().epochMicroseconds();
		Poco::Timestamp::TimeVal last = _last.load();
		if (now - last >= _interval && _last.compare_exchange_strong(last, now))
		{
			skipped = _skipped.exchange(0);
			return true;
		}
		++_skipped;
		return false;
	}

private:
	const Poco::Timestamp::TimeVal _interval;
	std::atomic<Poco::Timestamp::TimeVal> _last{0};
	std::atomic<int> _skipped{0};
};

} // namespace Hookgate

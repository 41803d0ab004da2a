#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/Store.h"

#include <Poco/Logger.h>
#include <Poco/Timespan.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace Hookgate {

/// Every `interval`, archives the finished deliveries older than `period` (their payload and
/// response bodies are deleted; the log rows and statistics stay), in small batches so that
/// ingest never waits long, then gives the freed space back.
class RetentionSweeper
{
public:
	RetentionSweeper(Store& store, const Clock& clock, Poco::Timespan period, Poco::Timespan interval, Poco::Logger& logger);
	~RetentionSweeper();

	void start();
	void stop();
	/// One sweep now; returns how many deliveries it archived.
	std::size_t sweep();

	static const std::size_t BATCH = 500;

private:
	void run();

	Store& _store;
	const Clock& _clock;
	Poco::Timespan _period;
	Poco::Timespan _interval;
	Poco::Logger& _logger;
	std::mutex _mutex;
	std::condition_variable _wake;
	bool _stopping = false;
	std::thread _thread;
};

} // namespace Hookgate

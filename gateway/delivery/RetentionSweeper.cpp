#include "gateway/delivery/RetentionSweeper.h"

#include <chrono>

namespace Hookgate {

RetentionSweeper::RetentionSweeper(Store& store, const Clock& clock, Poco::Timespan period, Poco::Timespan interval,
	Poco::Logger& logger):
	_store(store),
	_clock(clock),
	_period(period),
	_interval(interval),
	_logger(logger)
{
}

RetentionSweeper::~RetentionSweeper()
{
	stop();
}

void RetentionSweeper::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_thread.joinable()) return;
	_stopping = false;
	_thread = std::thread([this] { run(); });
}

void RetentionSweeper::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.joinable()) _thread.join();
}

std::size_t RetentionSweeper::sweep()
{
	const Millis cutoff = _clock.now() - _period.totalMilliseconds();
	std::size_t total = 0;
	while (true)
	{
		const std::size_t n = _store.archiveBefore(cutoff, BATCH);
		total += n;
		if (n < BATCH) break;
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopping) break;
	}
	if (total > 0)
	{
		_store.reclaimSpace();
		_logger.information("retention: archived %z deliveries older than %Ld days", total, static_cast<Poco::Int64>(_period.days()));
	}
	return total;
}

void RetentionSweeper::run()
{
	while (true)
	{
		try
		{
			sweep();
		}
		catch (const Poco::Exception& e)
		{
			_logger.error("retention sweep failed: %s (next try in one interval)", e.displayText());
		}
		catch (const std::exception& e)
		{
			_logger.error("retention sweep failed: %s (next try in one interval)", std::string(e.what()));
		}
		std::unique_lock<std::mutex> lock(_mutex);
		if (_wake.wait_for(lock, std::chrono::milliseconds(_interval.totalMilliseconds()), [this] { return _stopping; })) return;
	}
}

} // namespace Hookgate

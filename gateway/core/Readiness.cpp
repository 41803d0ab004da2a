#include "gateway/core/Readiness.h"

#include <Poco/Exception.h>

namespace Hookgate {

Readiness::State Readiness::check()
{
	std::unique_lock<std::mutex> lock(_mutex);
	const Millis now = _clock.now();
	// One probe at a time, outside the lock: a store that hangs (a database that does not answer)
	// holds up one caller, while the others get the last result.
	if (!_probing && (!_probed || now - _probedAt >= PROBE_INTERVAL || now < _probedAt))
	{
		_probing = true;
		lock.unlock();
		std::string error;
		try
		{
			_store.probeWrite();
		}
		catch (const Poco::Exception& e)
		{
			error = e.displayText();
		}
		catch (const std::exception& e)
		{
			error = e.what();
		}
		lock.lock();
		_probing = false;
		_probeError = error;
		_probed = true;
		_probedAt = now;
	}
	if (!_probeError.empty()) return {false, "the store cannot write: " + _probeError};
	if (!_probed) return {false, "the store is being checked"};
	if (_failed && now - _failedAt < HOLD_AFTER_FAILURE && now >= _failedAt)
		return {false, "a write failed " + std::to_string(now - _failedAt) + " ms ago: " + _failure};
	return {true, {}};
}

void Readiness::writeFailed(const std::string& reason)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_failed = true;
	_failedAt = _clock.now();
	_failure = reason;
}

} // namespace Hookgate

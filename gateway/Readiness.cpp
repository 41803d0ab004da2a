#include "gateway/Readiness.h"

#include <Poco/Exception.h>

namespace Hookgate {

Readiness::State Readiness::check()
{
	std::lock_guard<std::mutex> lock(_mutex);
	const Millis now = _clock.now();
	if (!_probed || now - _probedAt >= PROBE_INTERVAL || now < _probedAt)
	{
		try
		{
			_store.probeWrite();
			_probeError.clear();
		}
		catch (const Poco::Exception& e)
		{
			_probeError = e.displayText();
		}
		catch (const std::exception& e)
		{
			_probeError = e.what();
		}
		_probed = true;
		_probedAt = now;
	}
	if (!_probeError.empty()) return {false, "the store cannot write: " + _probeError};
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

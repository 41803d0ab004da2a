#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/Store.h"

#include <mutex>
#include <string>

namespace Hookgate {

/// Whether this node should get traffic (GET /ready): the store can write. /health is liveness
/// only. The store is probed with one small durable write, at most once per PROBE_INTERVAL
/// however often a load balancer asks; a real write that failed (a 503 to a client) keeps the
/// node not ready for HOLD_AFTER_FAILURE, because a full disk can still take the probe's few
/// bytes while it refuses an event.
class Readiness
{
public:
	struct State
	{
		bool ready = false;
		std::string reason;  ///< why not, for the answer and the log; empty when ready
	};

	Readiness(Store& store, const Clock& clock): _store(store), _clock(clock) {}

	/// The current state, probing the store when the last probe is older than PROBE_INTERVAL.
	State check();

	/// A write of a request failed with the store's reason.
	void writeFailed(const std::string& reason);

	static constexpr Millis PROBE_INTERVAL = 1000;
	static constexpr Millis HOLD_AFTER_FAILURE = 5000;

private:
	Store& _store;
	const Clock& _clock;
	std::mutex _mutex;
	bool _probing = false;  ///< a probe runs (outside the mutex)
	bool _probed = false;
	Millis _probedAt = 0;
	std::string _probeError;
	bool _failed = false;
	Millis _failedAt = 0;
	std::string _failure;
};

} // namespace Hookgate

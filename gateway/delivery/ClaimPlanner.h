#pragma once

#include "gateway/core/Model.h"

#include <map>
#include <string>
#include <vector>

namespace Hookgate {

/// Decides which due deliveries this node claims next, so that a slow, hanging or failing
/// endpoint uses only its own share of the delivery workers:
/// - an endpoint has at most `maxInFlight` attempts in flight (its own, or the default);
/// - and at most a fair share of the workers: workers / (endpoints with work + 1), so that a
///   share is always free for an endpoint that has none yet;
/// - an endpoint with a `rateLimit` starts at most that many attempts per second;
/// - when the workers cannot take every due delivery, claims are shared out round robin across
///   accounts, then across each account's endpoints, never in global due order;
/// - deliveries are claimed only when a worker slot is there for them: ahead of the workers
///   (prefetch) only for endpoints whose attempts are quick, so a claim never waits long.
/// It also keeps what this node holds of each endpoint (claimed, in flight). Not thread-safe:
/// the dispatcher calls it under its lock.
class ClaimPlanner
{
public:
	struct Options
	{
		int workers = 64;      ///< attempts in flight at most, in all
		int maxInFlight = 8;   ///< per endpoint, unless the endpoint sets its own
		int prefetch = 3;      ///< claims held per attempt slot of an endpoint whose attempts are quick
		Millis quickAttempt = 1000;  ///< an endpoint whose attempts take less on average is quick
		Millis reportInterval = 60000;  ///< an endpoint held back is reported at most once per interval
	};

	struct Plan
	{
		std::vector<EndpointClaim> claims;
		/// The earliest time something due later (or held back by a rate limit) may be claimed;
		/// 0: nothing known.
		Millis wakeAt = 0;
		/// Due work is held back by a cap, a share or the workers: a finished attempt may free it.
		bool waitingForRoom = false;
		/// Endpoints to report (at most once per reportInterval each): held back by their
		/// maxInFlight, or by their rateLimit.
		std::vector<PendingEndpoint> reportAtCap;
		std::vector<PendingEndpoint> reportRateLimited;
	};

	explicit ClaimPlanner(const Options& options);

	/// What to claim now, given the endpoints with pending deliveries (Store::pendingEndpoints).
	/// Takes the rate budget of what it plans; claimed() gives back what the store did not return.
	Plan plan(const std::vector<PendingEndpoint>& pending, Millis now);
	/// The store returned `got` of the `planned` deliveries of an endpoint. Returns true when it
	/// may have more due and room for them (worth a look at once); when it got all it asked and
	/// has no room left, the end of one of its attempts makes finished() return true.
	bool claimed(const std::string& endpointId, std::size_t planned, std::size_t got);
	/// Whether a claimed delivery of the endpoint may start now (its attempts in flight are
	/// below its limit).
	bool mayStart(const std::string& endpointId) const;
	/// How many more attempts of the endpoint may start now.
	int startableOf(const std::string& endpointId) const;
	void started(const std::string& endpointId);
	/// A claimed delivery that was never started (its lease would end first, or the stop).
	void dropped(const std::string& endpointId);
	/// An attempt ended after `duration`. Returns true when room the last plan waited for is
	/// there now (the scheduler should look again).
	bool finished(const std::string& endpointId, Millis duration, Millis now);

	int inFlight() const { return _inFlight; }
	int held() const { return _held; }
	/// Endpoints whose due deliveries waited for their maxInFlight at the last plan.
	int endpointsAtCap() const { return _atCap; }
	/// Endpoints whose due deliveries waited for their rateLimit at the last plan.
	int endpointsRateLimited() const { return _rateLimited; }

private:
	struct EndpointState
	{
		std::string accountId;
		int queued = 0;    ///< claimed, not started
		int inFlight = 0;
		int limit = 1;     ///< attempts in flight at most (the cap or the share, whichever is lower)
		int allowed = 1;   ///< claims held at most (limit, times prefetch when quick)
		int cap = 1;       ///< maxInFlight
		double averageMs = -1;  ///< of its attempts (moving average); -1: none yet
		double tokens = -1;     ///< rate limit budget; -1: full
		Millis tokensAt = 0;
		Millis lastActive = 0;
		Millis reportedAt = 0;
		bool waiting = false;   ///< the last plan left due work of it for lack of room
		int wakeBelow = 0;      ///< wake the scheduler when its claims held fall to this
		int held() const { return queued + inFlight; }
	};

	bool quick(const EndpointState& s) const { return s.averageMs >= 0 && s.averageMs < static_cast<double>(_options.quickAttempt); }
	EndpointState& state(const std::string& endpointId) { return _endpoints[endpointId]; }
	/// Due work of the endpoint waits for room: finished() wakes the scheduler when it is there.
	void waitForRoom(EndpointState& s) const;
	void forget(Millis now);

	Options _options;
	std::map<std::string, EndpointState> _endpoints;
	int _inFlight = 0;
	int _held = 0;
	int _atCap = 0;
	int _rateLimited = 0;
	bool _waitingForWorkers = false;
	std::size_t _rotation = 0;  ///< where the next round robin across accounts starts
	Millis _forgottenAt = 0;
};

} // namespace Hookgate

#pragma once

#include "gateway/delivery/ClaimPlanner.h"
#include "gateway/core/Clock.h"
#include "gateway/delivery/EmailTemplates.h"
#include "gateway/core/Metrics.h"
#include "gateway/core/Model.h"
#include "gateway/delivery/RetryPolicy.h"
#include "gateway/core/Store.h"
#include "transports/Transport.h"

#include <Poco/Logger.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace Hookgate {

/// Sends what the store holds: a scheduler thread claims due deliveries (with a lease, so a
/// crashed process's claims are taken again) and a pool of workers attempts them through the
/// transport of each endpoint, then records the attempt and the retry decision.
/// What is claimed is decided by a ClaimPlanner: per-endpoint caps, fair shares and rate limits,
/// so that a slow or hanging endpoint holds only its own share of the workers. Worker threads
/// are started when work needs them, up to `workers`.
/// Woken when work arrives; `pollInterval` only bounds how long it sleeps when idle.
class Dispatcher
{
public:
	struct Options
	{
		int workers = 64;      ///< attempts in flight at most, in all
		int maxInFlight = 8;   ///< attempts in flight per endpoint, unless the endpoint sets its own
		Poco::Timespan timeout = Poco::Timespan(15, 0);
		Poco::Timespan pollInterval = Poco::Timespan(1, 0);
		Poco::Timespan leaseTime = Poco::Timespan(120, 0);
		/// Whether a worker waits for the commit of each attempt record before its next
		/// delivery (false: records are committed in groups behind the workers).
		bool waitForRecords = true;
	};

	/// `transports` maps "http" / "email" to the transport that sends them; a missing one
	/// fails the delivery permanently with a clear error.
	Dispatcher(Store& store, std::map<std::string, Transport*> transports, const Clock& clock, RetryPolicy& retryPolicy,
		const EmailTemplates& emailTemplates, const Options& options, Poco::Logger& logger, Metrics* metrics = nullptr);
	~Dispatcher();

	/// Claims held per attempt slot of an endpoint whose attempts are quick.
	static const int PREFETCH = 3;

	void start();
	/// Stops claiming, lets the attempts in flight finish (each bounded by the timeout) and joins
	/// the threads. Deliveries claimed but not started are left for the next start.
	void stop();

	/// The same, but waits at most `grace` for the attempts in flight; then it aborts those still
	/// running (Transport::abortAll()) and records nothing of them: their deliveries keep their
	/// claims, which the store releases at close or the next start, so they go out again after
	/// the restart (at-least-once). Returns the number of attempts aborted.
	int stop(const Poco::Timespan& grace);
	/// There may be new work: look now instead of at the next poll.
	void wake();

	/// Attempts one claimed delivery and records the outcome (the work of one worker; public for
	/// tests). Returns when a retry is due, or 0 if none was scheduled.
	Millis process(const ClaimedDelivery& delivery);

private:
	void runScheduler();
	void runWorker();
	DeliveryRequest httpRequest(const ClaimedDelivery& delivery, const Endpoint& endpoint, Millis now) const;
	DeliveryRequest emailRequest(const ClaimedDelivery& delivery, const Endpoint& endpoint) const;

	Store& _store;
	std::map<std::string, Transport*> _transports;
	const Clock& _clock;
	RetryPolicy& _retryPolicy;
	const EmailTemplates& _emailTemplates;
	Options _options;
	Poco::Logger& _logger;
	Metrics* _metrics;

	std::mutex _mutex;
	std::condition_variable _schedulerWake;
	std::condition_variable _workAvailable;
	std::condition_variable _idle;  ///< notified when the last attempt in flight ends
	/// A claimed delivery waiting for a worker, with the end of its lease.
	struct Claim
	{
		ClaimedDelivery delivery;
		Millis leaseUntil = 0;
	};
	std::deque<Claim> _queue;
	ClaimPlanner _planner;
	int _busy = 0;         ///< attempts running
	int _idleWorkers = 0;  ///< worker threads waiting for a claim they may start
	Millis _nextRetry = 0;  ///< the earliest retry a worker scheduled since the scheduler last claimed it; 0: none
	bool _woken = false;
	bool _sleeping = false;  ///< the scheduler waits: only the events it waits for wake it (a wake-up costs about as much as a small ingest)
	bool _stopping = false;
	std::atomic<bool> _aborting{false};  ///< attempts now ending were aborted by stop(grace): not recorded
	/// The first queued claim a worker may start now (its endpoint below its limit), or end.
	std::deque<Claim>::iterator runnable();
	/// Queued claims that may start now (their endpoints below their limits).
	int startable() const;
	/// Starts worker threads for claims that no idle worker will take, up to `workers`; returns
	/// how many workers the queue has work for.
	int addWorkers();
	void updateGauges();
	void report(const ClaimPlanner::Plan& plan);
	std::thread _scheduler;
	std::vector<std::thread> _workers;
};

} // namespace Hookgate

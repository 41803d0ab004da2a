#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace Poco {
class Logger;
}

namespace Hookgate {

/// Group commit: writes of many threads share one transaction and so one commit (one fsync).
///
/// A thread submits a job; if no batch is running it becomes the leader: it takes every job
/// queued meanwhile, hands them to the batch runner (which runs them in one transaction and
/// commits) and wakes their threads, each on its own job, so that a commit wakes exactly the
/// threads whose writes it holds. Jobs queued while a batch runs go into the next one, which
/// the leader hands over to one of their threads: that thread commits it and so learns that
/// its own write is in without a second wake-up.
///
/// A job can be detached (nobody waits for it): it is deleted after its batch, its failure
/// logged. Detached jobs do not lead: they go with the next batch, and a flusher thread of the
/// GroupCommit's own commits those left over after `flushDelay` (or at once when `flushBatch`
/// are queued). So a delivery worker that records an attempt never waits for an fsync, and
/// the records of many attempts share one commit.
class GroupCommit
{
public:
	struct Job
	{
		std::function<void()> run;
		std::exception_ptr error;
		bool detached = false;  ///< heap-allocated; deleted after its batch

	private:
		friend class GroupCommit;
		std::mutex _mutex;
		std::condition_variable _wake;
		bool _done = false;  ///< committed (or failed); under _mutex
		bool _lead = false;  ///< handed the leader's role; under _mutex
	};

	/// Runs the jobs of one batch in one transaction. It sets each failed job's `error`; a
	/// failure of the whole batch (the commit) sets the error of every job that has none.
	using BatchRunner = std::function<void(const std::vector<Job*>& batch)>;

	GroupCommit(BatchRunner runner, Poco::Logger& logger, std::chrono::microseconds flushDelay = std::chrono::milliseconds(2),
		std::size_t flushBatch = 256);
	/// Calls stop().
	~GroupCommit();
	GroupCommit(const GroupCommit&) = delete;
	GroupCommit& operator=(const GroupCommit&) = delete;

	/// Queues the job and, unless it is detached, returns once its batch is committed (or has
	/// failed: see `error`). A detached job is committed by the running leader, or leads itself.
	void submit(Job* job);
	/// Queues a detached job to run with the next batch (the same as submit() of a detached job).
	void add(Job* detachedJob);
	/// Commits the detached jobs still queued and ends the flusher thread. Call it before what
	/// the batch runner uses goes away; submit() afterwards still works, without the flusher.
	void stop();

private:
	void lead(Job* own);
	void queueDetached(Job* job, std::unique_lock<std::mutex>& lock);
	void runFlusher();
	void logFailure(const std::exception_ptr& error);

	BatchRunner _runner;
	Poco::Logger& _logger;
	std::mutex _mutex;
	std::vector<Job*> _pending;
	std::size_t _detachedPending = 0;  ///< of _pending
	bool _leaderActive = false;
	const std::chrono::microseconds _flushDelay;
	const std::size_t _flushBatch;
	std::condition_variable _flusherWake;
	std::thread _flusher;  ///< started with the first detached job
	bool _flusherStarted = false;  ///< until stop() has joined it
	bool _stopping = false;
};

} // namespace Hookgate

#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
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
/// A job can be detached (nobody waits for it): the leader deletes it after its batch and
/// logs its failure; a leader goes on while only detached jobs are queued, so none is left behind.
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

	GroupCommit(BatchRunner runner, Poco::Logger& logger);

	/// Queues the job and, unless it is detached, returns once its batch is committed (or has
	/// failed: see `error`). A detached job is committed by the running leader, or leads itself.
	void submit(Job* job);
	/// Queues a detached job to run with the next batch (of the running leader, or of the next
	/// submit()), without leading one itself.
	void add(Job* detachedJob);

private:
	void lead(Job* own);
	void logFailure(const std::exception_ptr& error);

	BatchRunner _runner;
	Poco::Logger& _logger;
	std::mutex _mutex;
	std::vector<Job*> _pending;
	bool _leaderActive = false;
};

} // namespace Hookgate

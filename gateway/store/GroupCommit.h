#pragma once

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
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
///
/// With a syncer, the batch runner commits without waiting for the disk and the syncer makes
/// the commit durable (an fsync): the leader hands its role on first, so the next batch runs
/// while this one's fsync is under way, and wakes its batch's threads only after a sync that
/// began after its commit has returned. One sync runs at a time and covers every batch
/// committed before it began; leaders that commit meanwhile wait for it to end and then start
/// one sync for all of them. A batch of detached jobs only is not synced: nobody waits for
/// it, and the next sync (or the database's checkpoint) takes it to the disk. A leader whose
/// own job needs no sync (or the flusher) leaves the wait to the batch's first job that does.
/// After a failed sync every write that needs one fails: the kernel may have dropped pages
/// that a later sync would not report.
class GroupCommit
{
public:
	struct Job
	{
		std::function<void()> run;
		std::exception_ptr error;
		bool detached = false;  ///< heap-allocated; deleted after its batch
		/// With a syncer: whether its writer waits for the sync (false: only for the commit).
		bool durable = true;

	private:
		friend class GroupCommit;
		std::mutex _mutex;
		std::condition_variable _wake;
		bool _done = false;  ///< committed (or failed); under _mutex
		bool _lead = false;  ///< handed the leader's role; under _mutex
		bool _sync = false;  ///< handed the wait for the sync of `_syncFor` (its batch's durable jobs); under _mutex
		std::vector<Job*> _syncFor;
	};

	/// Runs the jobs of one batch in one transaction. It sets each failed job's `error`; a
	/// failure of the whole batch (the commit) sets the error of every job that has none.
	using BatchRunner = std::function<void(const std::vector<Job*>& batch)>;
	/// Makes every batch committed so far durable; throws if it cannot.
	using Syncer = std::function<void()>;

	GroupCommit(BatchRunner runner, Poco::Logger& logger, std::chrono::microseconds flushDelay = std::chrono::milliseconds(2),
		std::size_t flushBatch = 256);
	/// Calls stop().
	~GroupCommit();
	GroupCommit(const GroupCommit&) = delete;
	GroupCommit& operator=(const GroupCommit&) = delete;

	/// Sets the syncer; call it before the first submit().
	void setSyncer(Syncer syncer);
	/// Queues the job and, unless it is detached, returns once its batch is committed (or has
	/// failed: see `error`). A detached job is committed by the running leader, or leads itself.
	void submit(Job* job);
	/// Queues a detached job to run with the next batch (the same as submit() of a detached job).
	void add(Job* detachedJob);
	/// The jobs queued for the next batch (for tests).
	std::size_t queued();
	/// Commits the detached jobs still queued and ends the flusher thread. Call it before what
	/// the batch runner uses goes away; submit() afterwards still works, without the flusher.
	void stop();

private:
	void lead(Job* own);
	/// Marks the jobs done and wakes their writers (not `own`'s: that thread is here).
	static void wakeDone(const std::vector<Job*>& jobs, const Job* own);
	/// Waits for the sync of the committed jobs, then marks them done and wakes them (not `own`).
	void finishDurable(const std::vector<Job*>& jobs, const Job* own);
	/// Counts the batch just committed and returns once a sync begun after it has succeeded,
	/// running that sync itself unless one is under way; the failure otherwise (a failed sync
	/// fails every sync after it).
	std::exception_ptr awaitSync();
	/// Hands the leader's role to the next waiting job; true if this thread must lead on
	/// (only detached jobs queued and no flusher to commit them).
	bool passOn();
	void queueDetached(Job* job, std::unique_lock<std::mutex>& lock);
	void runFlusher();
	void logFailure(const std::exception_ptr& error);
	static std::string describe(const std::exception_ptr& error);

	BatchRunner _runner;
	Syncer _syncer;
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

	std::mutex _syncMutex;  ///< guards the sync state below
	std::condition_variable _syncDone;
	std::uint64_t _committed = 0;   ///< batches committed with a waiting job
	std::uint64_t _synced = 0;      ///< of those, how many a sync has made durable
	std::exception_ptr _syncFailure;  ///< set by the first failed sync, for good
	bool _syncing = false;
};

} // namespace Hookgate

#include "gateway/store/GroupCommit.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <algorithm>

namespace Hookgate {

GroupCommit::GroupCommit(BatchRunner runner, Poco::Logger& logger, std::chrono::microseconds flushDelay, std::size_t flushBatch):
	_runner(std::move(runner)),
	_logger(logger),
	_flushDelay(flushDelay),
	_flushBatch(flushBatch)
{
}

GroupCommit::~GroupCommit()
{
	stop();
}

void GroupCommit::stop()
{
	std::thread flusher;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
		flusher = std::move(_flusher);
	}
	_flusherWake.notify_all();
	if (flusher.joinable()) flusher.join();
	// What the flusher left: commit it now (unless a leader is at work: it goes on while
	// detached jobs are queued once the flusher is gone).
	std::unique_lock<std::mutex> lock(_mutex);
	_flusherStarted = false;
	if (_detachedPending == 0 || _leaderActive) return;
	_leaderActive = true;
	lock.unlock();
	lead(nullptr);
}

void GroupCommit::queueDetached(Job* job, std::unique_lock<std::mutex>& lock)
{
	_pending.push_back(job);
	++_detachedPending;
	if (_leaderActive) return;  // the leader takes it with its next batch, or hands it on
	if (_stopping)
	{
		// No flusher any more: commit it at once.
		_leaderActive = true;
		lock.unlock();
		lead(nullptr);
		return;
	}
	if (!_flusherStarted)
	{
		_flusherStarted = true;
		_flusher = std::thread([this] { runFlusher(); });
	}
	if (_detachedPending == 1 || _detachedPending >= _flushBatch) _flusherWake.notify_one();
}

void GroupCommit::runFlusher()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_stopping)
	{
		_flusherWake.wait(lock, [this] { return _stopping || (_detachedPending > 0 && !_leaderActive); });
		if (_stopping) return;
		// Let more gather: the records of many attempts share one commit.
		_flusherWake.wait_for(lock, _flushDelay, [this] { return _stopping || _detachedPending >= _flushBatch; });
		if (_leaderActive || _detachedPending == 0) continue;  // a waiting write took them
		_leaderActive = true;
		lock.unlock();
		lead(nullptr);
		lock.lock();
	}
}

void GroupCommit::submit(Job* job)
{
	{
		std::unique_lock<std::mutex> lock(_mutex);
		if (job->detached)
		{
			queueDetached(job, lock);
			return;
		}
		_pending.push_back(job);
		if (!_leaderActive)
		{
			_leaderActive = true;
		}
		else
		{
			lock.unlock();
			std::unique_lock<std::mutex> own(job->_mutex);
			job->_wake.wait(own, [job] { return job->_done || job->_lead || job->_sync; });
			if (job->_done) return;
			if (job->_sync)
			{
				const std::vector<Job*> jobs = std::move(job->_syncFor);
				own.unlock();
				finishDurable(jobs, job);
				return;
			}
		}
	}
	lead(job);
}

void GroupCommit::add(Job* detachedJob)
{
	std::unique_lock<std::mutex> lock(_mutex);
	queueDetached(detachedJob, lock);
}

std::size_t GroupCommit::queued()
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _pending.size();
}

void GroupCommit::setSyncer(Syncer syncer)
{
	_syncer = std::move(syncer);
}

void GroupCommit::lead(Job* own)
{
	bool leading = true;
	while (leading)
	{
		std::vector<Job*> batch;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			batch.swap(_pending);
			_detachedPending = 0;
		}
		try
		{
			_runner(batch);
		}
		catch (...)
		{
			const auto error = std::current_exception();
			for (Job* j : batch)
				if (!j->error) j->error = error;
		}
		// Waiting jobs that need the sync, and those that can go now.
		std::vector<Job*> durable;
		std::vector<Job*> done;
		for (Job* j : batch)
		{
			if (!j->detached)
			{
				(_syncer && j->durable && !j->error ? durable : done).push_back(j);
				continue;
			}
			if (j->error) logFailure(j->error);
			delete j;
		}
		// The next batch runs while this one is synced.
		leading = passOn();
		wakeDone(done, own);
		if (durable.empty()) continue;
		if (std::find(durable.begin(), durable.end(), own) != durable.end())
		{
			finishDurable(durable, own);
			continue;
		}
		// This thread needs no sync (a claim, the flusher, stop()): the first writer that does
		// waits for it and wakes the others.
		Job* first = durable.front();
		std::lock_guard<std::mutex> jobLock(first->_mutex);
		first->_syncFor = std::move(durable);
		first->_sync = true;
		first->_wake.notify_one();
	}
}

void GroupCommit::finishDurable(const std::vector<Job*>& jobs, const Job* own)
{
	if (auto error = awaitSync())
		for (Job* j : jobs) j->error = error;
	wakeDone(jobs, own);
}

void GroupCommit::wakeDone(const std::vector<Job*>& jobs, const Job* own)
{
	for (Job* j : jobs)
	{
		// Under the job's lock: its waiter cannot see `done` and free the job before the notify.
		std::lock_guard<std::mutex> jobLock(j->_mutex);
		j->_done = true;
		if (j != own) j->_wake.notify_one();
	}
}

std::exception_ptr GroupCommit::awaitSync()
{
	std::unique_lock<std::mutex> lock(_syncMutex);
	const std::uint64_t mine = ++_committed;
	while (_synced < mine)
	{
		if (_syncFailure) return _syncFailure;
		if (_syncing)
		{
			_syncDone.wait(lock);
			continue;
		}
		// No sync under way: this one covers every batch committed so far, also those of
		// leaders that wait for it.
		_syncing = true;
		const std::uint64_t upTo = _committed;
		lock.unlock();
		std::exception_ptr error;
		try
		{
			_syncer();
		}
		catch (...)
		{
			error = std::current_exception();
		}
		lock.lock();
		_syncing = false;
		if (error)
		{
			// After a failed fsync the kernel may have dropped the pages, and a later fsync can
			// succeed without them: nothing committed from here on counts as durable any more
			// (as PostgreSQL stops at a failed fsync). A restart recovers from the log on disk.
			_syncFailure = error;
			_logger.critical("syncing the database failed (%s): writes that wait for the disk fail from now on, until hookgate is restarted",
				describe(error));
		}
		else
		{
			_synced = upTo;
		}
		_syncDone.notify_all();
	}
	return nullptr;
}

bool GroupCommit::passOn()
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto next = std::find_if(_pending.begin(), _pending.end(), [](const Job* j) { return !j->detached; });
	if (next != _pending.end())
	{
		std::lock_guard<std::mutex> jobLock((*next)->_mutex);
		(*next)->_lead = true;
		(*next)->_wake.notify_one();
		return false;  // _leaderActive stays set: the role passes on
	}
	_leaderActive = false;
	// Only writes nobody waits for are left: the flusher commits them (after stop(), this thread).
	if (_detachedPending == 0) return false;
	if (!_stopping || _flusherStarted)
	{
		_flusherWake.notify_one();
		return false;
	}
	_leaderActive = true;
	return true;
}

void GroupCommit::logFailure(const std::exception_ptr& error)
{
	_logger.error("a write nobody waited for failed: %s", describe(error));
}

std::string GroupCommit::describe(const std::exception_ptr& error)
{
	try
	{
		std::rethrow_exception(error);
	}
	catch (const Poco::Exception& e)
	{
		return e.displayText();
	}
	catch (const std::exception& e)
	{
		return e.what();
	}
	catch (...)
	{
	}
	return "unknown error";
}

} // namespace Hookgate

#include "gateway/store/GroupCommit.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <algorithm>

namespace Hookgate {

GroupCommit::GroupCommit(BatchRunner runner, Poco::Logger& logger):
	_runner(std::move(runner)),
	_logger(logger)
{
}

void GroupCommit::submit(Job* job)
{
	{
		std::unique_lock<std::mutex> lock(_mutex);
		_pending.push_back(job);
		if (!_leaderActive)
		{
			_leaderActive = true;
		}
		else
		{
			if (job->detached) return;  // the leader, or the one it hands over to, takes it
			lock.unlock();
			std::unique_lock<std::mutex> own(job->_mutex);
			job->_wake.wait(own, [job] { return job->_done || job->_lead; });
			if (job->_done) return;
		}
	}
	lead(job);
}

void GroupCommit::add(Job* detachedJob)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pending.push_back(detachedJob);
}

void GroupCommit::lead(Job* own)
{
	while (true)
	{
		std::vector<Job*> batch;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			batch.swap(_pending);
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
		for (Job* j : batch)
		{
			if (j->detached)
			{
				if (j->error) logFailure(j->error);
				delete j;
				continue;
			}
			// Under the job's lock: its waiter cannot see `done` and free the job before the notify.
			std::lock_guard<std::mutex> jobLock(j->_mutex);
			j->_done = true;
			if (j != own) j->_wake.notify_one();
		}
		std::lock_guard<std::mutex> lock(_mutex);
		const auto next = std::find_if(_pending.begin(), _pending.end(), [](const Job* j) { return !j->detached; });
		if (next != _pending.end())
		{
			std::lock_guard<std::mutex> jobLock((*next)->_mutex);
			(*next)->_lead = true;
			(*next)->_wake.notify_one();
			return;  // _leaderActive stays set: the role passes on
		}
		// Only writes nobody waits for are left: commit them too.
		if (_pending.empty())
		{
			_leaderActive = false;
			return;
		}
	}
}

void GroupCommit::logFailure(const std::exception_ptr& error)
{
	try
	{
		std::rethrow_exception(error);
	}
	catch (const Poco::Exception& e)
	{
		_logger.error("a write nobody waited for failed: %s", e.displayText());
	}
	catch (const std::exception& e)
	{
		_logger.error("a write nobody waited for failed: %s", std::string(e.what()));
	}
	catch (...)
	{
		_logger.error("a write nobody waited for failed");
	}
}

} // namespace Hookgate

#include "gateway/api/ConnectionWatchdog.h"

#include <chrono>
#include <vector>

namespace Hookgate {

ConnectionWatchdog::ConnectionWatchdog():
	_thread([this] { run(); })
{
}

ConnectionWatchdog::~ConnectionWatchdog()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	_thread.join();
}

ConnectionWatchdog::Ticket ConnectionWatchdog::arm(const Poco::Net::StreamSocket& socket, const Poco::Timestamp& deadline,
	std::atomic<bool>& expired)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const Ticket ticket = _next++;
	_entries.emplace(ticket, Entry{socket, deadline, &expired});
	// Wake the thread only when it sleeps past this deadline (not for each request).
	if (deadline < _sleepsUntil) _wake.notify_all();
	return ticket;
}

void ConnectionWatchdog::disarm(Ticket ticket)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_entries.erase(ticket);
}

void ConnectionWatchdog::run()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_stopping)
	{
		const Poco::Timestamp now;
		Poco::Timestamp earliest = now + Poco::Timespan(1, 0);
		std::vector<Poco::Net::StreamSocket> due;
		for (auto it = _entries.begin(); it != _entries.end();)
		{
			if (it->second.deadline <= now)
			{
				it->second.expired->store(true);
				due.push_back(it->second.socket);
				it = _entries.erase(it);
			}
			else
			{
				if (it->second.deadline < earliest) earliest = it->second.deadline;
				++it;
			}
		}
		if (!due.empty())
		{
			lock.unlock();
			for (auto& socket : due)
			{
				try
				{
					socket.shutdownReceive();
				}
				catch (...)
				{
					// Already closed by its peer: nothing to wake.
				}
			}
			lock.lock();
			continue;
		}
		_sleepsUntil = earliest;
		_wake.wait_for(lock, std::chrono::microseconds(earliest - now));
		_sleepsUntil = Poco::Timestamp(0);  // awake: it looks at every entry before it sleeps again
	}
}

} // namespace Hookgate

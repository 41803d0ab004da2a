#pragma once

#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace Hookgate {

/// Enforces whole deadlines on connections that a thread blocks on: a request head that
/// must be complete within hookgate.http.headerTimeout, a body within bodyTimeout, however
/// slowly its bytes trickle in (a per-read timeout restarts with every byte). At its deadline a
/// socket's receiving side is shut down, which wakes the thread blocked in recv(); the
/// connection sees its `expired` flag set and answers 408. (Linux still hands out bytes that
/// are waiting after the shutdown, and end-of-stream once none are: a trickle ends at once; a
/// client fast enough to always have bytes waiting runs into the size limits instead.)
/// One thread for all connections.
class ConnectionWatchdog
{
public:
	using Ticket = std::uint64_t;

	ConnectionWatchdog();
	~ConnectionWatchdog();

	ConnectionWatchdog(const ConnectionWatchdog&) = delete;
	ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

	/// Shuts down the receiving side of `socket` at `deadline`, setting `expired` first, unless
	/// disarmed before. `expired` must outlive the ticket.
	Ticket arm(const Poco::Net::StreamSocket& socket, const Poco::Timestamp& deadline, std::atomic<bool>& expired);
	void disarm(Ticket ticket);

	/// Arms on construction, disarms on destruction.
	class Deadline
	{
	public:
		Deadline(ConnectionWatchdog& watchdog, const Poco::Net::StreamSocket& socket, const Poco::Timespan& within,
			std::atomic<bool>& expired):
			_watchdog(watchdog),
			_ticket(watchdog.arm(socket, Poco::Timestamp() + within, expired))
		{
		}
		~Deadline() { _watchdog.disarm(_ticket); }
		Deadline(const Deadline&) = delete;
		Deadline& operator=(const Deadline&) = delete;

	private:
		ConnectionWatchdog& _watchdog;
		Ticket _ticket;
	};

private:
	struct Entry
	{
		Poco::Net::StreamSocket socket;
		Poco::Timestamp deadline;
		std::atomic<bool>* expired;
	};

	void run();

	std::mutex _mutex;
	std::condition_variable _wake;
	std::map<Ticket, Entry> _entries;
	Ticket _next = 1;
	Poco::Timestamp _sleepsUntil{0};  ///< when the thread wakes by itself (0: it is awake)
	bool _stopping = false;
	std::thread _thread;
};

} // namespace Hookgate

#pragma once

#include "gateway/core/Model.h"

#include <array>
#include <atomic>
#include <string>

namespace Hookgate {

/// Counters of what the gateway does, rendered in the Prometheus text format at /metrics.
/// Lock-free: recorded from request handlers and delivery workers at once.
class Metrics
{
public:
	enum class Result
	{
		Succeeded,
		Transient,
		Permanent
	};

	void eventIngested(std::size_t deliveries);
	/// One attempt of a transport ("http" or "email") with its result and duration; `final`
	/// when it ended the delivery (succeeded, or failed for good).
	void attempt(const std::string& transport, Result result, double seconds, bool final);
	void replayed();
	/// Connections of the API port: let in, ended, refused by a cap, cut off at a deadline.
	void connectionOpened() { ++_connectionsOpen; }
	void connectionClosed() { --_connectionsOpen; }
	void connectionRefused() { ++_connectionsRefused; }
	void connectionTimedOut() { ++_connectionsTimedOut; }
	/// The delivery workers: the cap on attempts in flight in all.
	void deliveryWorkers(int workers) { _deliveryWorkers = workers; }
	/// Attempts in flight now; endpoints whose due deliveries wait for their maxInFlight, or for
	/// their rateLimit.
	void deliveryConcurrency(int inFlight, int endpointsAtCap, int endpointsRateLimited)
	{
		_attemptsInFlight = inFlight;
		_endpointsAtCap = endpointsAtCap;
		_endpointsRateLimited = endpointsRateLimited;
	}

	/// The text exposition (version 0.0.4), with the queue figures read from the store.
	std::string render(const QueueSummary& queue, Millis now) const;

	static const std::array<double, 12> BUCKETS;

private:
	static std::size_t transportIndex(const std::string& transport) { return transport == "email" ? 1 : 0; }

	struct Histogram
	{
		std::array<std::atomic<Poco::UInt64>, 13> buckets{};  ///< cumulative on render; last = +Inf
		std::atomic<Poco::UInt64> count{0};
		std::atomic<Poco::UInt64> microsSum{0};
	};

	std::atomic<Poco::UInt64> _events{0};
	std::atomic<Poco::UInt64> _deliveriesCreated{0};
	std::atomic<Poco::UInt64> _replays{0};
	std::atomic<Poco::Int64> _connectionsOpen{0};
	std::atomic<Poco::UInt64> _connectionsRefused{0};
	std::atomic<Poco::UInt64> _connectionsTimedOut{0};
	std::atomic<int> _deliveryWorkers{0};
	std::atomic<int> _attemptsInFlight{0};
	std::atomic<int> _endpointsAtCap{0};
	std::atomic<int> _endpointsRateLimited{0};
	std::array<std::array<std::atomic<Poco::UInt64>, 3>, 2> _attempts{};  ///< [transport][result]
	std::array<std::array<std::atomic<Poco::UInt64>, 2>, 2> _finished{};  ///< [transport][succeeded, failed]
	std::array<Histogram, 2> _durations;
};

} // namespace Hookgate

#pragma once

#include "ApiClient.h"
#include "Receiver.h"

#include <Poco/JSON/Object.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// Steps of the delivery log, statistics, replay, recover, retention and
/// metrics tests (issue 6), in addition to Steps.
namespace LogSteps {

/// One page of GET .../endpoints/<endpoint>/deliveries.
struct Page
{
	int status = 0;
	std::vector<std::string> ids;
	std::vector<std::string> statuses;
	std::vector<Poco::JSON::Object::Ptr> items;
	bool nextIsNull = false;
	std::string next;     ///< "" when null or missing
	std::string text;     ///< request and answer, for INFO
};

Page fetchPage(const ApiClient& api, const std::string& account, const std::string& endpoint, const std::string& query);
	/// query: "" or "?limit=5&..." as given.

/// A receiver script: requests whose payload says "fail":true get 500 "no", others 200 "ok".
Receiver::Reply failFlagged(const RecordedRequest& request, std::size_t index);

std::string encode(const std::string& text);
	/// text percent-encoded for use as a query value.

/// GET .../endpoints/<endpoint>/stats
struct Stats
{
	int status = 0;
	Poco::Int64 total = -1;
	Poco::Int64 succeeded = -1;
	Poco::Int64 failed = -1;
	Poco::Int64 pending = -1;
	bool successRateNull = false;
	std::optional<double> successRate;   ///< set when a JSON number
	std::string text;

	bool sameCountsAs(const Stats& other) const;
	std::string counts() const;          ///< "total=.. succeeded=.. failed=.. pending=.. successRate=.."
};

Stats fetchStats(const ApiClient& api, const std::string& account, const std::string& endpoint, const std::string& query = std::string());
Stats statsOf(const Poco::JSON::Object::Ptr& object, const std::string& text = std::string());
	/// The counts of a stats object (e.g. the "stats" member of an endpoint).

std::string deliveryPath(const std::string& account, const std::string& delivery, const std::string& suffix = std::string());
	/// /api/v1/accounts/<account>/deliveries/<delivery><suffix>

std::string iso(const Poco::Timestamp& time);
	/// 2026-11-27T16:05:09.123Z

Poco::Timestamp boundaryAfter(const std::string& createdAt);
	/// A time later than createdAt (as the gateway wrote it) such that a
	/// delivery created once the clock has passed waitForClockPast(boundary)
	/// has a createdAt strictly later than the boundary, whatever precision
	/// (seconds or milliseconds) the gateway's times have.
bool waitForClockPast(const Poco::Timestamp& boundary, const std::string& createdAtExample);
	/// Waits (deadline 5 s) until the local clock is past the boundary by one
	/// unit of the precision of createdAtExample.

bool waitForFinished(const ApiClient& api, const std::string& account, const std::vector<std::string>& deliveries,
	const Poco::Timespan& deadline = Poco::Timespan(30, 0));
	/// Polls until none of the deliveries is pending.

/// A gate a receiver script can wait at (holding the request open) until
/// the test opens it; opened at the latest when destroyed.
class Gate
{
public:
	~Gate();
	void open();
	bool waitOpen(const Poco::Timespan& deadline);
	void arrived();
	bool waitArrived(const Poco::Timespan& deadline);
		/// True once a request has arrived at the gate.
	Receiver::Script holder(const Poco::Timespan& wait, const std::string& body = "ok");
		/// A receiver script that marks each request's arrival, holds it at the
		/// gate until the gate opens (or `wait` ends) and then answers 200 `body`.

private:
	std::mutex _mutex;
	std::condition_variable _changed;
	bool _open = false;
	bool _arrived = false;
};

/// Opens a gate when destroyed: declare it after the receiver whose script
/// waits at the gate, so the receiver's handler is released before it stops.
class GateOpener
{
public:
	explicit GateOpener(Gate& gate): _gate(gate) {}
	~GateOpener() { _gate.open(); }

private:
	Gate& _gate;
};

} // namespace LogSteps

} } // namespace Hookgate::Test

#include "LogSteps.h"

#include "Steps.h"
#include "Wait.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/URI.h>

#include <chrono>
#include <sstream>

namespace Hookgate {
namespace Test {
namespace LogSteps {

Page fetchPage(const ApiClient& api, const std::string& account, const std::string& endpoint, const std::string& query)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint + "/deliveries" + query;
	const ApiResponse response = api.get(path);
	Page page;
	page.status = response.status;
	page.text = "GET " + path + " -> " + response.describe();
	if (!response.json) return page;
	Poco::JSON::Array::Ptr items = response.json->getArray("items");
	if (items)
	{
		for (std::size_t i = 0; i < items->size(); ++i)
		{
			Poco::JSON::Object::Ptr item = items->getObject(static_cast<unsigned>(i));
			page.items.push_back(item);
			page.ids.push_back(Steps::stringOf(item, "id"));
			page.statuses.push_back(Steps::stringOf(item, "status"));
		}
	}
	page.nextIsNull = Steps::hasNull(response.json, "next");
	page.next = Steps::stringOf(response.json, "next");
	return page;
}

Receiver::Reply failFlagged(const RecordedRequest& request, std::size_t)
{
	const bool fail = request.body.find("\"fail\":true") != std::string::npos;
	return Receiver::Reply{fail ? 500 : 200, fail ? "no" : "ok"};
}

std::string encode(const std::string& text)
{
	std::string encoded;
	Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]% ", encoded);
	return encoded;
}

bool Stats::sameCountsAs(const Stats& other) const
{
	return total == other.total && succeeded == other.succeeded && failed == other.failed && pending == other.pending
		&& successRateNull == other.successRateNull && successRate == other.successRate;
}

std::string Stats::counts() const
{
	std::ostringstream out;
	out << "total=" << total << " succeeded=" << succeeded << " failed=" << failed << " pending=" << pending
		<< " successRate=";
	if (successRate) out << *successRate;
	else out << (successRateNull ? "null" : "(missing or not a number)");
	return out.str();
}

Stats statsOf(const Poco::JSON::Object::Ptr& object, const std::string& text)
{
	Stats stats;
	stats.text = text;
	if (!object) return stats;
	stats.total = Steps::intOf(object, "total");
	stats.succeeded = Steps::intOf(object, "succeeded");
	stats.failed = Steps::intOf(object, "failed");
	stats.pending = Steps::intOf(object, "pending");
	stats.successRateNull = Steps::hasNull(object, "successRate");
	if (object->has("successRate") && !object->isNull("successRate"))
	{
		const Poco::Dynamic::Var value = object->get("successRate");
		if (value.isNumeric()) stats.successRate = value.convert<double>();
	}
	return stats;
}

Stats fetchStats(const ApiClient& api, const std::string& account, const std::string& endpoint, const std::string& query)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint + "/stats" + query;
	const ApiResponse response = api.get(path);
	Stats stats = statsOf(response.json, "GET " + path + " -> " + response.describe());
	stats.status = response.status;
	return stats;
}

std::string deliveryPath(const std::string& account, const std::string& delivery, const std::string& suffix)
{
	return "/api/v1/accounts/" + account + "/deliveries/" + delivery + suffix;
}

std::string iso(const Poco::Timestamp& time)
{
	return Poco::DateTimeFormatter::format(time, "%Y-%m-%dT%H:%M:%S.%iZ");
}

namespace {

Poco::Timespan unitOf(const std::string& createdAt)
{
	// Times with a fraction are at least millisecond-precise; allow a few.
	return createdAt.find('.') != std::string::npos ? Poco::Timespan(0, 5000) : Poco::Timespan(1, 0);
}

} // namespace

Poco::Timestamp boundaryAfter(const std::string& createdAt)
{
	const Poco::Timestamp created = Steps::parseIsoUtc(createdAt);
	const Poco::Timespan unit = unitOf(createdAt);
	// created is truncated to the precision: the real creation time is before created + unit.
	const Poco::Timestamp::TimeVal micros = created.epochMicroseconds() + unit.totalMicroseconds();
	const Poco::Timestamp::TimeVal step = unit.totalMicroseconds();
	return Poco::Timestamp::fromEpochTime(0) + ((micros + step - 1) / step) * step;
}

bool waitForClockPast(const Poco::Timestamp& boundary, const std::string& createdAtExample)
{
	const Poco::Timestamp::TimeVal target = boundary.epochMicroseconds() + unitOf(createdAtExample).totalMicroseconds();
	return waitUntil([&] { return Poco::Timestamp().epochMicroseconds() > target; }, Poco::Timespan(5, 0), Poco::Timespan(0, 2000));
}

bool waitForFinished(const ApiClient& api, const std::string& account, const std::vector<std::string>& deliveries,
	const Poco::Timespan& deadline)
{
	return waitUntil([&]
	{
		for (const auto& id: deliveries)
		{
			Poco::JSON::Object::Ptr delivery = Steps::getDelivery(api, account, id);
			const std::string status = Steps::stringOf(delivery, "status");
			if (status != "succeeded" && status != "failed") return false;
		}
		return true;
	}, deadline, Poco::Timespan(0, 50000));
}

Gate::~Gate()
{
	open();
}

void Gate::open()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_open = true;
	_changed.notify_all();
}

bool Gate::waitOpen(const Poco::Timespan& deadline)
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _changed.wait_for(lock, std::chrono::microseconds(deadline.totalMicroseconds()), [&] { return _open; });
}

Receiver::Script Gate::holder(const Poco::Timespan& wait, const std::string& body)
{
	return [this, wait, body](const RecordedRequest&, std::size_t) {
		arrived();
		waitOpen(wait);
		return Receiver::Reply{200, body};
	};
}

void Gate::arrived()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_arrived = true;
	_changed.notify_all();
}

bool Gate::waitArrived(const Poco::Timespan& deadline)
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _changed.wait_for(lock, std::chrono::microseconds(deadline.totalMicroseconds()), [&] { return _arrived; });
}

} // namespace LogSteps
} } // namespace Hookgate::Test

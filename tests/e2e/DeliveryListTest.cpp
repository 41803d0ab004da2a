#include "ApiClient.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <set>

using namespace Hookgate::Test;

namespace {

using LogSteps::encode;
using LogSteps::Page;

/// The log of the account "acme"'s endpoint (LogSteps::fetchPage).
Page fetchPage(const ApiClient& api, const std::string& endpointId, const std::string& query)
{
	return LogSteps::fetchPage(api, "acme", endpointId, query);
}

/// Follows the cursor from the first page to the end; every page but the
/// last must have `limit` items and a string cursor.
std::vector<std::string> pageThrough(const ApiClient& api, const std::string& endpointId,
	const std::string& filter, std::size_t limit, std::size_t expectedTotal)
{
	std::vector<std::string> all;
	std::string query = "?limit=" + std::to_string(limit) + filter;
	for (std::size_t pageNumber = 0; pageNumber <= expectedTotal / limit + 1; ++pageNumber)
	{
		const Page page = fetchPage(api, endpointId, query);
		INFO(page.text);
		REQUIRE(page.status == 200);
		all.insert(all.end(), page.ids.begin(), page.ids.end());
		if (all.size() < expectedTotal)
		{
			CHECK(page.ids.size() == limit);
			REQUIRE_FALSE(page.next.empty());
			query = "?limit=" + std::to_string(limit) + filter + "&before=" + encode(page.next);
		}
		else
		{
			CHECK(page.nextIsNull);
			break;
		}
	}
	return all;
}

} // namespace

TEST_CASE("The delivery log lists newest first, pages by cursor without gaps and filters by status", "[e2e]")
{
	// Requests whose payload says "fail":true get 500 (and fail after the 3rd attempt).
	Receiver receiver([](const RecordedRequest& request, std::size_t)
	{
		const bool fail = request.body.find("\"fail\":true") != std::string::npos;
		return Receiver::Reply{fail ? 500 : 200, fail ? "no" : "ok"};
	});
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"*"});

	const std::set<int> failing = {2, 5};
	std::vector<std::string> postedOrder;  // oldest first
	for (int i = 0; i < 7; ++i)
	{
		const std::string data = "{\"n\":" + std::to_string(i) + (failing.count(i) ? ",\"fail\":true}" : "}");
		const Steps::Event event = Steps::postEvent(api, "acme", "customer.updated", data);
		REQUIRE(event.status == 202);
		REQUIRE(event.deliveryIds.size() == 1);
		postedOrder.push_back(event.deliveryIds[0]);
	}
	const std::vector<std::string> newestFirst(postedOrder.rbegin(), postedOrder.rend());
	std::vector<std::string> succeededNewestFirst;
	std::vector<std::string> failedNewestFirst;
	for (int i = 6; i >= 0; --i)
		(failing.count(i) ? failedNewestFirst : succeededNewestFirst).push_back(postedOrder[static_cast<std::size_t>(i)]);

	const bool finished = waitUntil([&]
	{
		const Page page = fetchPage(api, endpoint.id, "?limit=500");
		if (page.ids.size() != 7) return false;
		for (const auto& status: page.statuses)
			if (status == "pending") return false;
		return true;
	}, Poco::Timespan(30, 0), Poco::Timespan(0, 100000));
	const Page all = fetchPage(api, endpoint.id, "");
	INFO(all.text);
	REQUIRE(finished);

	SECTION("without parameters: all of them, newest first, next null")
	{
		CHECK(all.status == 200);
		CHECK(all.ids == newestFirst);
		CHECK(all.nextIsNull);
		std::vector<std::string> expectedStatuses;
		for (int i = 6; i >= 0; --i) expectedStatuses.push_back(failing.count(i) ? "failed" : "succeeded");
		CHECK(all.statuses == expectedStatuses);
	}

	SECTION("limit and the next cursor give every item once, in order")
	{
		const Page first = fetchPage(api, endpoint.id, "?limit=3");
		INFO(first.text);
		REQUIRE(first.status == 200);
		CHECK(first.ids == std::vector<std::string>(newestFirst.begin(), newestFirst.begin() + 3));
		REQUIRE_FALSE(first.next.empty());

		const Page second = fetchPage(api, endpoint.id, "?limit=3&before=" + encode(first.next));
		INFO(second.text);
		REQUIRE(second.status == 200);
		CHECK(second.ids == std::vector<std::string>(newestFirst.begin() + 3, newestFirst.begin() + 6));
		REQUIRE_FALSE(second.next.empty());

		const Page third = fetchPage(api, endpoint.id, "?limit=3&before=" + encode(second.next));
		INFO(third.text);
		REQUIRE(third.status == 200);
		CHECK(third.ids == std::vector<std::string>(newestFirst.begin() + 6, newestFirst.end()));
		CHECK(third.nextIsNull);

		CHECK(pageThrough(api, endpoint.id, "", 2, 7) == newestFirst);
		CHECK(pageThrough(api, endpoint.id, "", 1, 7) == newestFirst);
	}

	SECTION("status filters, also across pages")
	{
		const Page succeeded = fetchPage(api, endpoint.id, "?status=succeeded");
		INFO(succeeded.text);
		REQUIRE(succeeded.status == 200);
		CHECK(succeeded.ids == succeededNewestFirst);
		CHECK(succeeded.nextIsNull);

		const Page failed = fetchPage(api, endpoint.id, "?status=failed");
		INFO(failed.text);
		REQUIRE(failed.status == 200);
		CHECK(failed.ids == failedNewestFirst);

		const Page pending = fetchPage(api, endpoint.id, "?status=pending");
		INFO(pending.text);
		REQUIRE(pending.status == 200);
		CHECK(pending.ids.empty());
		CHECK(pending.nextIsNull);

		CHECK(pageThrough(api, endpoint.id, "&status=succeeded", 2, 5) == succeededNewestFirst);
	}
}

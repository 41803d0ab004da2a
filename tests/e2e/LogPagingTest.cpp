#include "ApiClient.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace Hookgate::Test;

namespace {

using LogSteps::failFlagged;  // "fail":true gets 500 (failed after the 3rd attempt), others 200

struct Posted
{
	std::vector<std::string> all;        // oldest first
	std::vector<std::string> failed;     // oldest first
};

void post(const ApiClient& api, int from, int count, int failEvery, Posted& posted)
{
	for (int i = from; i < from + count; ++i)
	{
		const bool fail = failEvery > 0 && i % failEvery == 0;
		const std::string data = "{\"n\":" + std::to_string(i) + (fail ? ",\"fail\":true}" : "}");
		const Steps::Event event = Steps::postEvent(api, "acme", "customer.updated", data);
		REQUIRE(event.status == 202);
		REQUIRE(event.deliveryIds.size() == 1);
		posted.all.push_back(event.deliveryIds[0]);
		if (fail) posted.failed.push_back(event.deliveryIds[0]);
	}
}

std::vector<std::string> newestFirst(const std::vector<std::string>& oldestFirst)
{
	return std::vector<std::string>(oldestFirst.rbegin(), oldestFirst.rend());
}

std::vector<std::string> duplicatesIn(const std::vector<std::string>& ids)
{
	std::set<std::string> seen;
	std::vector<std::string> duplicates;
	for (const auto& id: ids)
		if (!seen.insert(id).second) duplicates.push_back(id);
	return duplicates;
}

} // namespace

TEST_CASE("Following next after ten new events arrived gives the rest of the log without duplicates or gaps and without the new ones", "[e2e]")
{
	Receiver receiver(failFlagged);
	receiver.start();
	GatewayProcess gateway;  // retrySchedule 100ms, 100ms
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"*"});

	// 13 deliveries, every 3rd failing: 0, 3, 6, 9, 12.
	Posted before;
	post(api, 0, 13, 3, before);
	REQUIRE(before.failed.size() == 5);
	REQUIRE(LogSteps::waitForFinished(api, "acme", before.all));
	const std::vector<std::string> expected = newestFirst(before.all);

	SECTION("without a filter, pages of 5")
	{
		const LogSteps::Page first = LogSteps::fetchPage(api, "acme", endpoint.id, "?limit=5");
		INFO(first.text);
		REQUIRE(first.status == 200);
		CHECK(first.ids == std::vector<std::string>(expected.begin(), expected.begin() + 5));
		REQUIRE_FALSE(first.next.empty());

		// 10 new events arrive after page 1 was read (their deliveries finish, too).
		Posted during;
		post(api, 100, 10, 3, during);
		REQUIRE(LogSteps::waitForFinished(api, "acme", during.all));

		std::vector<std::string> seen = first.ids;
		std::string next = first.next;
		int pages = 1;
		while (!next.empty() && pages < 10)
		{
			const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpoint.id, "?limit=5&before=" + LogSteps::encode(next));
			INFO(page.text);
			REQUIRE(page.status == 200);
			++pages;
			seen.insert(seen.end(), page.ids.begin(), page.ids.end());
			next = page.next;
			if (next.empty()) CHECK(page.nextIsNull);
			else CHECK(page.ids.size() == 5);

			// More events keep arriving between the later pages as well.
			Posted more;
			post(api, 200 + pages * 10, 2, 0, more);
			during.all.insert(during.all.end(), more.all.begin(), more.all.end());
		}
		INFO("pages read: " << pages);
		CHECK(pages == 3);
		CHECK(duplicatesIn(seen).empty());
		for (const auto& id: during.all)
		{
			INFO("new delivery " << id << " must not appear after page 1");
			CHECK(std::find(seen.begin(), seen.end(), id) == seen.end());
		}
		CHECK(seen == expected);

		// Read from the start again: everything, the new ones first, newest first.
		std::vector<std::string> everything = before.all;
		everything.insert(everything.end(), during.all.begin(), during.all.end());
		const LogSteps::Page whole = LogSteps::fetchPage(api, "acme", endpoint.id, "?limit=500");
		INFO(whole.text);
		REQUIRE(whole.status == 200);
		CHECK(whole.ids == newestFirst(everything));
		CHECK(whole.nextIsNull);

		// A limit above 500 is treated as 500, not refused.
		const LogSteps::Page large = LogSteps::fetchPage(api, "acme", endpoint.id, "?limit=100000");
		INFO(large.text);
		CHECK(large.status == 200);
		CHECK(large.ids == whole.ids);
	}

	SECTION("with status=failed, pages of 2, while new failing deliveries arrive")
	{
		const std::vector<std::string> failedExpected = newestFirst(before.failed);
		const LogSteps::Page first = LogSteps::fetchPage(api, "acme", endpoint.id, "?status=failed&limit=2");
		INFO(first.text);
		REQUIRE(first.status == 200);
		CHECK(first.ids == std::vector<std::string>(failedExpected.begin(), failedExpected.begin() + 2));
		REQUIRE_FALSE(first.next.empty());

		// New deliveries, all failing, finished (so they match the filter) before the next page is read.
		Posted during;
		post(api, 300, 4, 1, during);
		REQUIRE(LogSteps::waitForFinished(api, "acme", during.all));

		std::vector<std::string> seen = first.ids;
		std::vector<std::string> statuses = first.statuses;
		std::string next = first.next;
		int pages = 1;
		while (!next.empty() && pages < 10)
		{
			const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpoint.id,
				"?status=failed&limit=2&before=" + LogSteps::encode(next));
			INFO(page.text);
			REQUIRE(page.status == 200);
			++pages;
			seen.insert(seen.end(), page.ids.begin(), page.ids.end());
			statuses.insert(statuses.end(), page.statuses.begin(), page.statuses.end());
			next = page.next;
			if (next.empty()) CHECK(page.nextIsNull);
			else CHECK(page.ids.size() == 2);
		}
		CHECK(pages == 3);
		CHECK(seen == failedExpected);
		CHECK(duplicatesIn(seen).empty());
		for (const auto& status: statuses) CHECK(status == "failed");
		for (const auto& id: during.all)
		{
			INFO("new failed delivery " << id << " must not appear after page 1");
			CHECK(std::find(seen.begin(), seen.end(), id) == seen.end());
		}

		// status=succeeded across pages gives exactly the succeeded ones, newest first.
		std::vector<std::string> succeeded;
		for (const auto& id: before.all)
			if (std::find(before.failed.begin(), before.failed.end(), id) == before.failed.end()) succeeded.push_back(id);
		std::vector<std::string> succeededSeen;
		std::string cursor;
		for (int page = 0; page < 10; ++page)
		{
			const LogSteps::Page current = LogSteps::fetchPage(api, "acme", endpoint.id,
				"?status=succeeded&limit=3" + (cursor.empty() ? std::string() : "&before=" + LogSteps::encode(cursor)));
			INFO(current.text);
			REQUIRE(current.status == 200);
			for (const auto& status: current.statuses) CHECK(status == "succeeded");
			succeededSeen.insert(succeededSeen.end(), current.ids.begin(), current.ids.end());
			cursor = current.next;
			if (cursor.empty()) break;
		}
		CHECK(succeededSeen == newestFirst(succeeded));
	}
}

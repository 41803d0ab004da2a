#include "gateway/delivery/ClaimPlanner.h"

#include <catch2/catch.hpp>

#include <map>

using namespace Hookgate;

namespace {

PendingEndpoint pending(const std::string& endpoint, const std::string& account, Millis nextDue = 1000, int maxInFlight = 0,
	int rateLimit = 0)
{
	return PendingEndpoint{endpoint, account, maxInFlight, rateLimit, nextDue};
}

std::map<std::string, std::size_t> claims(const ClaimPlanner::Plan& plan)
{
	std::map<std::string, std::size_t> out;
	for (const auto& c : plan.claims) out[c.endpointId] += c.max;
	return out;
}

/// Tells the planner that the store returned everything planned, and starts what may start.
void claimAll(ClaimPlanner& planner, const ClaimPlanner::Plan& plan)
{
	for (const auto& c : plan.claims)
	{
		planner.claimed(c.endpointId, c.max, c.max);
		for (std::size_t i = 0; i < c.max && planner.mayStart(c.endpointId); ++i) planner.started(c.endpointId);
	}
}

ClaimPlanner::Options options(int workers, int maxInFlight = 8)
{
	ClaimPlanner::Options o;
	o.workers = workers;
	o.maxInFlight = maxInFlight;
	return o;
}

} // namespace

TEST_CASE("an endpoint is claimed up to its maxInFlight, its own or the default, and no more while they are held", "[claims]")
{
	ClaimPlanner planner(options(64, 4));
	const std::vector<PendingEndpoint> due{pending("ep_default", "a"), pending("ep_own", "b", 1000, 2)};
	auto plan = planner.plan(due, 2000);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_default", 4}, {"ep_own", 2}});
	claimAll(planner, plan);
	CHECK(planner.inFlight() == 6);
	plan = planner.plan(due, 2001);
	CHECK(plan.claims.empty());
	CHECK(plan.waitingForRoom);
	CHECK(planner.endpointsAtCap() == 2);
	// One ends: one more of that endpoint, and the scheduler is told to look again.
	CHECK(planner.finished("ep_own", 20000, 3000));
	CHECK(claims(planner.plan(due, 3000)) == std::map<std::string, std::size_t>{{"ep_own", 1}});
}

TEST_CASE("an endpoint takes at most a fair share of the workers, so a share stays free for one without work yet", "[claims]")
{
	ClaimPlanner planner(options(12, 100));
	// Three slow endpoints with work: each may hold 12 / (3 + 1) = 3.
	const std::vector<PendingEndpoint> slow{pending("ep_1", "a"), pending("ep_2", "b"), pending("ep_3", "c")};
	auto plan = planner.plan(slow, 2000);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_1", 3}, {"ep_2", 3}, {"ep_3", 3}});
	claimAll(planner, plan);
	CHECK(planner.inFlight() == 9);
	// A fourth endpoint gets work: the workers still have room for it at once.
	auto withNew = slow;
	withNew.push_back(pending("ep_new", "d", 2500));
	plan = planner.plan(withNew, 2500);
	// One at once, from the slots kept for endpoints with nothing in flight (a quarter: 3).
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_new", 1}});
	CHECK(planner.endpointsAtCap() == 0);  // held back by the share, not by a cap
}

TEST_CASE("when the workers cannot take every due delivery, claims go round robin across accounts, then their endpoints", "[claims]")
{
	ClaimPlanner::Options o = options(2, 8);
	o.prefetch = 1;
	ClaimPlanner planner(o);
	// Account "big" has three endpoints, "small" one: with room for 2, each account gets one,
	// not the account with the most endpoints (nor the endpoints first in order) everything.
	const std::vector<PendingEndpoint> due{pending("ep_b1", "big"), pending("ep_b2", "big"), pending("ep_b3", "big"),
		pending("ep_s1", "small")};
	std::map<std::string, std::size_t> total;
	for (int round = 0; round < 6; ++round)
	{
		auto plan = planner.plan(due, 2000 + round);
		const auto got = claims(plan);
		std::size_t n = 0;
		for (const auto& [endpoint, count] : got) n += count;
		CHECK(n == 2);
		CHECK(got.count("ep_s1") == 1);  // the small account is served every round
		for (const auto& [endpoint, count] : got) total[endpoint] += count;
		// None of them is started: the planner forgets these claims (as if the store had none).
		for (const auto& c : plan.claims) planner.claimed(c.endpointId, c.max, 0);
	}
	// The big account's turns rotate over its endpoints.
	CHECK(total["ep_s1"] == 6);
	CHECK(total["ep_b1"] == 2);
	CHECK(total["ep_b2"] == 2);
	CHECK(total["ep_b3"] == 2);
}

TEST_CASE("a rate-limited endpoint is claimed at most its rate per second, and the plan wakes when the next is allowed", "[claims]")
{
	ClaimPlanner planner(options(64, 100));
	const std::vector<PendingEndpoint> due{pending("ep_r", "a", 1000, 0, 5)};
	auto plan = planner.plan(due, 10000);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_r", 5}});  // a second's worth at once
	claimAll(planner, plan);
	for (int i = 0; i < 5; ++i) planner.finished("ep_r", 1, 10000);
	plan = planner.plan(due, 10000);
	CHECK(plan.claims.empty());
	CHECK(planner.endpointsRateLimited() == 1);
	CHECK(plan.wakeAt == 10200);  // 5 per second: the next one 200 ms later
	REQUIRE(plan.reportRateLimited.size() == 1);
	CHECK(plan.reportRateLimited[0].endpointId == "ep_r");
	plan = planner.plan(due, 10200);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_r", 1}});
	// What the store did not return is given back.
	planner.claimed("ep_r", 1, 0);
	CHECK(claims(planner.plan(due, 10200)) == std::map<std::string, std::size_t>{{"ep_r", 1}});
}

TEST_CASE("an endpoint whose attempts are quick is claimed ahead of its workers, a slow one only for the slots it has", "[claims]")
{
	ClaimPlanner planner(options(64, 4));
	const std::vector<PendingEndpoint> due{pending("ep_quick", "a"), pending("ep_slow", "b")};
	auto plan = planner.plan(due, 2000);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_quick", 4}, {"ep_slow", 4}});  // unknown yet: no prefetch
	claimAll(planner, plan);
	for (int i = 0; i < 4; ++i)
	{
		planner.finished("ep_quick", 5, 2100);
		planner.finished("ep_slow", 15000, 2100);
	}
	plan = planner.plan(due, 2100);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_quick", 12}, {"ep_slow", 4}});  // 3 x 4 ahead, 4
	for (const auto& c : plan.claims) planner.claimed(c.endpointId, c.max, c.max);
	// Only 4 of the quick endpoint's 12 may start at once.
	int started = 0;
	while (planner.mayStart("ep_quick"))
	{
		planner.started("ep_quick");
		++started;
	}
	CHECK(started == 4);
}

TEST_CASE("a finished attempt wakes the scheduler only when the room it waits for is there", "[claims]")
{
	ClaimPlanner planner(options(64, 2));
	const std::vector<PendingEndpoint> due{pending("ep_1", "a")};
	claimAll(planner, planner.plan(due, 2000));
	CHECK(planner.plan(due, 2001).waitingForRoom);
	CHECK(planner.finished("ep_1", 30000, 5000));        // its room: look again
	CHECK_FALSE(planner.finished("ep_1", 30000, 5001));  // already told
	// Nothing waits (the store had less than was planned): no wake-up.
	ClaimPlanner idle(options(64, 2));
	const auto plan = idle.plan(due, 2000);
	REQUIRE(plan.claims.size() == 1);
	CHECK_FALSE(idle.claimed("ep_1", plan.claims[0].max, 1));
	idle.started("ep_1");
	CHECK_FALSE(idle.finished("ep_1", 10, 2001));
}

TEST_CASE("an endpoint that got all it asked for and has no room left wakes the scheduler when one of its attempts ends", "[claims]")
{
	// A backlog: every claim is filled, so the store may have more. Without the wake-up the rest
	// would wait for the poll interval after each claim.
	ClaimPlanner planner(options(64, 2));
	const std::vector<PendingEndpoint> due{pending("ep_1", "a")};
	const auto plan = planner.plan(due, 2000);
	REQUIRE(plan.claims.size() == 1);
	CHECK_FALSE(planner.claimed("ep_1", plan.claims[0].max, plan.claims[0].max));  // full: no look at once
	planner.started("ep_1");
	planner.started("ep_1");
	CHECK(planner.finished("ep_1", 10, 2001));        // room again: look
	CHECK_FALSE(planner.finished("ep_1", 10, 2002));  // already told
	// Room left after a full claim: a look at once instead.
	ClaimPlanner roomy(options(64, 4));
	const std::vector<PendingEndpoint> backlog{pending("ep_1", "a")};
	const auto first = roomy.plan(backlog, 2000);
	REQUIRE(first.claims.size() == 1);
	CHECK(roomy.claimed("ep_1", 2, 2));  // asked for 2 of its 4: maybe more due, and room
}

TEST_CASE("deliveries due later set the wake time and are not claimed before", "[claims]")
{
	ClaimPlanner planner(options(64, 8));
	auto plan = planner.plan({pending("ep_later", "a", 9000), pending("ep_soon", "c", 7000)}, 2000);
	CHECK(plan.claims.empty());
	CHECK(plan.wakeAt == 7000);
	CHECK_FALSE(plan.waitingForRoom);
}

TEST_CASE("an endpoint at its cap is reported at most once per interval", "[claims]")
{
	ClaimPlanner::Options o = options(64, 1);
	o.reportInterval = 60000;
	ClaimPlanner planner(o);
	const std::vector<PendingEndpoint> due{pending("ep_1", "a")};
	claimAll(planner, planner.plan(due, 1000));
	auto plan = planner.plan(due, 2000);
	REQUIRE(plan.reportAtCap.size() == 1);
	CHECK(plan.reportAtCap[0].endpointId == "ep_1");
	CHECK(planner.plan(due, 30000).reportAtCap.empty());
	CHECK(planner.plan(due, 61999).reportAtCap.empty());
	CHECK(planner.plan(due, 62000).reportAtCap.size() == 1);
	CHECK(planner.endpointsAtCap() == 1);
}

TEST_CASE("a delivery is claimed only when a worker is free for it, unless its endpoint is quick", "[claims]")
{
	ClaimPlanner planner(options(2, 8));
	// Two slow endpoints hold both workers (share: 2 / 3 -> 1 each).
	const std::vector<PendingEndpoint> slow{pending("ep_1", "a"), pending("ep_2", "b")};
	auto plan = planner.plan(slow, 2000);
	CHECK(claims(plan) == std::map<std::string, std::size_t>{{"ep_1", 1}, {"ep_2", 1}});
	claimAll(planner, plan);
	// A third, of unknown speed: no worker is free, so it is not claimed (its lease would run
	// while it waits) and the plan waits for a worker.
	auto three = slow;
	three.push_back(pending("ep_3", "c"));
	plan = planner.plan(three, 2001);
	CHECK(plan.claims.empty());
	CHECK(plan.waitingForRoom);
	CHECK(planner.finished("ep_1", 15000, 17000));  // a worker is free: look again
	const std::vector<PendingEndpoint> rest{pending("ep_2", "b"), pending("ep_3", "c")};  // ep_1 has nothing left
	CHECK(claims(planner.plan(rest, 17000)) == std::map<std::string, std::size_t>{{"ep_3", 1}});
}

TEST_CASE("endpoints that hang one after the other leave a worker free for an endpoint whose work starts later", "[claims]")
{
	ClaimPlanner planner(options(16, 8));
	std::vector<PendingEndpoint> due;
	// Each hung endpoint arrives alone and takes what it may then; none of their attempts ends.
	// (The first two take 8 and 4, the next ones one each from the 4 slots kept for endpoints
	// with nothing in flight: more hung newcomers than that would use up the reserve too.)
	for (int i = 0; i < 4; ++i)
	{
		due.push_back(pending("ep_hung" + std::to_string(i), "noisy" + std::to_string(i)));
		claimAll(planner, planner.plan(due, 2000 + i));
	}
	CHECK(planner.inFlight() < 16);
	due.push_back(pending("ep_healthy", "quiet", 3000));
	CHECK(claims(planner.plan(due, 3000))["ep_healthy"] == 1);
}

#include "gateway/delivery/ClaimPlanner.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace Hookgate {

namespace {

const Millis FORGET_AFTER = 10 * 60 * 1000;  ///< an endpoint idle this long is forgotten (its rate budget is full again)

struct Candidate
{
	const PendingEndpoint* pending;
	int want;
	bool quick;
	int held;
	int given = 0;
};

} // namespace

ClaimPlanner::ClaimPlanner(const Options& options): _options(options)
{
	_options.workers = std::max(1, _options.workers);
	_options.maxInFlight = std::max(1, _options.maxInFlight);
	_options.prefetch = std::max(1, _options.prefetch);
}

ClaimPlanner::Plan ClaimPlanner::plan(const std::vector<PendingEndpoint>& pending, Millis now)
{
	forget(now);
	Plan plan;
	_atCap = 0;
	_rateLimited = 0;
	_waitingForWorkers = false;
	for (auto& entry : _endpoints) entry.second.waiting = false;

	// Endpoints with work: due deliveries, or attempts of theirs held here.
	std::set<std::string> active;
	for (const auto& p : pending)
	{
		const auto found = _endpoints.find(p.endpointId);
		if ((p.nextDue != 0 && p.nextDue <= now) || (found != _endpoints.end() && found->second.held() > 0))
			active.insert(p.endpointId);
	}
	for (const auto& [id, s] : _endpoints)
		if (s.held() > 0) active.insert(id);
	const int share = std::max(1, _options.workers / (static_cast<int>(active.size()) + 1));

	auto wakeAt = [&plan](Millis at) {
		if (plan.wakeAt == 0 || at < plan.wakeAt) plan.wakeAt = at;
	};
	std::vector<Candidate> candidates;
	for (const auto& p : pending)
	{
		EndpointState& s = state(p.endpointId);
		s.accountId = p.accountId;
		s.cap = p.maxInFlight > 0 ? p.maxInFlight : _options.maxInFlight;
		s.limit = std::min(s.cap, share);
		s.allowed = quick(s) ? s.limit * _options.prefetch : s.limit;
		if (p.nextDue == 0) continue;  // nothing pending
		if (p.nextDue > now)
		{
			wakeAt(p.nextDue);
			continue;
		}
		s.lastActive = now;
		int want = s.allowed - s.held();
		if (want <= 0)
		{
			waitForRoom(s);
			plan.waitingForRoom = true;
			if (s.inFlight >= s.cap)
			{
				++_atCap;
				if (s.reportedAt == 0 || now - s.reportedAt >= _options.reportInterval)
				{
					s.reportedAt = now;
					plan.reportAtCap.push_back(p);
				}
			}
			continue;
		}
		if (p.rateLimit > 0)
		{
			// A token bucket holding one second's worth of attempts.
			const double burst = static_cast<double>(p.rateLimit);
			if (s.tokens < 0) s.tokens = burst;
			else s.tokens = std::min(burst, s.tokens + static_cast<double>(now - s.tokensAt) * burst / 1000.0);
			s.tokensAt = now;
			const int budget = static_cast<int>(std::floor(s.tokens + 1e-9));
			if (budget <= 0)
			{
				++_rateLimited;
				wakeAt(now + std::max<Millis>(1, static_cast<Millis>(std::ceil((1.0 - s.tokens) * 1000.0 / burst))));
				if (s.reportedAt == 0 || now - s.reportedAt >= _options.reportInterval)
				{
					s.reportedAt = now;
					plan.reportRateLimited.push_back(p);
				}
				continue;
			}
			want = std::min(want, budget);
		}
		candidates.push_back(Candidate{&p, want, quick(s), s.held()});
	}

	// Share the workers out. A claim needs a free worker slot, unless its endpoint is quick
	// (then it may wait in the queue for a moment, up to prefetch times the workers in all). A
	// reserve of the slots is kept for endpoints with nothing in flight: one that already has
	// attempts in flight and is not quick does not take the last `reserve` slots, so an
	// endpoint whose work starts finds a worker at once, even while others hang (and before
	// their shares shrink to make room). Everything if it fits, else round robin across
	// accounts, and within each account across its endpoints.
	int slots = _options.workers - _held;
	int room = _options.workers * _options.prefetch - _held;
	const int reserve = std::max(1, _options.workers / 4);
	int wantedQuick = 0;
	int wantedSlow = 0;
	for (const auto& c : candidates) (c.quick ? wantedQuick : wantedSlow) += c.want;
	if (wantedSlow <= slots - reserve && wantedQuick + wantedSlow <= room)
	{
		for (auto& c : candidates) c.given = c.want;
	}
	else
	{
		const auto mayTake = [&](const Candidate& c) {
			return c.given < c.want && room > 0 && (c.quick || (slots > 0 && (c.held + c.given == 0 || slots > reserve)));
		};
		std::vector<std::vector<Candidate*>> accounts;
		std::map<std::string, std::size_t> accountIndex;
		for (auto& c : candidates)
		{
			const auto inserted = accountIndex.emplace(c.pending->accountId, accounts.size());
			if (inserted.second) accounts.emplace_back();
			accounts[inserted.first->second].push_back(&c);
		}
		const std::size_t start = _rotation++;
		std::vector<std::size_t> next(accounts.size(), start);
		bool progress = true;
		while (room > 0 && progress)
		{
			progress = false;
			for (std::size_t k = 0; k < accounts.size() && room > 0; ++k)
			{
				auto& endpoints = accounts[(start + k) % accounts.size()];
				auto& cursor = next[(start + k) % accounts.size()];
				for (std::size_t tries = 0; tries < endpoints.size(); ++tries)
				{
					Candidate* c = endpoints[cursor++ % endpoints.size()];
					if (mayTake(*c))
					{
						++c->given;
						--room;
						--slots;
						progress = true;
						break;
					}
				}
			}
		}
	}
	for (auto& c : candidates)
	{
		EndpointState& s = state(c.pending->endpointId);
		if (c.given < c.want)
		{
			_waitingForWorkers = true;
			plan.waitingForRoom = true;
		}
		if (c.given == 0) continue;
		if (c.pending->rateLimit > 0) s.tokens -= c.given;
		plan.claims.push_back(EndpointClaim{c.pending->endpointId, static_cast<std::size_t>(c.given)});
	}
	return plan;
}

bool ClaimPlanner::claimed(const std::string& endpointId, std::size_t planned, std::size_t got)
{
	EndpointState& s = state(endpointId);
	s.queued += static_cast<int>(got);
	_held += static_cast<int>(got);
	if (s.tokens >= 0 && got < planned) s.tokens += static_cast<double>(planned - got);  // not taken: given back
	if (got < planned) return false;        // all that was due is claimed
	if (s.held() < s.allowed) return true;  // maybe more due, and room for it
	// Full, with maybe more due: the end of one of its attempts must wake the scheduler, as
	// for an endpoint the plan found full (else the rest waits for the poll interval).
	waitForRoom(s);
	return false;
}

void ClaimPlanner::waitForRoom(EndpointState& s) const
{
	s.waiting = true;
	// A quick endpoint is woken for a whole slot's worth of room, a slow one for each attempt.
	s.wakeBelow = quick(s) && _options.prefetch > 1 ? s.allowed - s.limit : s.allowed - 1;
}

bool ClaimPlanner::mayStart(const std::string& endpointId) const
{
	const auto found = _endpoints.find(endpointId);
	return found == _endpoints.end() || found->second.inFlight < found->second.limit;
}

int ClaimPlanner::startableOf(const std::string& endpointId) const
{
	const auto found = _endpoints.find(endpointId);
	return found == _endpoints.end() ? 1 : std::max(0, found->second.limit - found->second.inFlight);
}

void ClaimPlanner::started(const std::string& endpointId)
{
	EndpointState& s = state(endpointId);
	--s.queued;
	++s.inFlight;
	++_inFlight;
}

void ClaimPlanner::dropped(const std::string& endpointId)
{
	EndpointState& s = state(endpointId);
	--s.queued;
	--_held;
}

bool ClaimPlanner::finished(const std::string& endpointId, Millis duration, Millis now)
{
	EndpointState& s = state(endpointId);
	--s.inFlight;
	--_inFlight;
	--_held;
	s.lastActive = now;
	const double ms = static_cast<double>(std::max<Millis>(0, duration));
	s.averageMs = s.averageMs < 0 ? ms : s.averageMs * 0.8 + ms * 0.2;
	bool wake = false;
	if (s.waiting && s.held() <= s.wakeBelow)
	{
		s.waiting = false;
		wake = true;
	}
	if (_waitingForWorkers && (_held < _options.workers || _options.workers * _options.prefetch - _held >= _options.workers))
	{
		_waitingForWorkers = false;
		wake = true;
	}
	return wake;
}

void ClaimPlanner::forget(Millis now)
{
	if (now - _forgottenAt < 60000) return;
	_forgottenAt = now;
	for (auto it = _endpoints.begin(); it != _endpoints.end();)
	{
		if (it->second.held() == 0 && now - it->second.lastActive >= FORGET_AFTER) it = _endpoints.erase(it);
		else ++it;
	}
}

} // namespace Hookgate

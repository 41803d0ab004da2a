#include "gateway/delivery/Dispatcher.h"
#include "gateway/core/Duration.h"

#include "gateway/core/Iso8601.h"
#include "transports/WebhookSignature.h"

#include <Poco/Format.h>
#include <Poco/NumberFormatter.h>

#include <algorithm>
#include <chrono>

namespace Hookgate {

Dispatcher::Dispatcher(Store& store, std::map<std::string, Transport*> transports, const Clock& clock,
	RetryPolicy& retryPolicy, const EmailTemplates& emailTemplates, const Options& options, Poco::Logger& logger, Metrics* metrics):
	_store(store),
	_transports(std::move(transports)),
	_clock(clock),
	_retryPolicy(retryPolicy),
	_emailTemplates(emailTemplates),
	_options(options),
	_logger(logger),
	_metrics(metrics),
	_planner(ClaimPlanner::Options{options.workers, options.maxInFlight, PREFETCH})
{
	if (_metrics) _metrics->deliveryWorkers(_options.workers);
}

Dispatcher::~Dispatcher()
{
	stop();
}

void Dispatcher::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_scheduler.joinable()) return;
	_stopping = false;
	_aborting = false;
	_scheduler = std::thread([this] { runScheduler(); });
}

void Dispatcher::stop()
{
	stop(Poco::Timespan(365, 0, 0, 0, 0));
}

int Dispatcher::stop(const Poco::Timespan& grace)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_schedulerWake.notify_all();
	_workAvailable.notify_all();
	if (_scheduler.joinable()) _scheduler.join();
	int aborted = 0;
	{
		std::unique_lock<std::mutex> lock(_mutex);
		if (!_idle.wait_for(lock, std::chrono::microseconds(grace.totalMicroseconds()), [this] { return _busy == 0; }))
		{
			aborted = _busy;
			_aborting = true;
		}
	}
	if (aborted > 0)
	{
		_logger.warning("stopping: %d attempt(s) still in flight at the end of the shutdown grace (%s left of it here); aborting them (not recorded: "
			"they go out again after the restart)", aborted, Duration::format(grace));
		for (auto& [name, transport] : _transports)
			if (transport) transport->abortAll();
	}
	for (auto& t : _workers)
		if (t.joinable()) t.join();
	_workers.clear();
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_queue.empty())
	{
		_logger.information("%z claimed deliveries left for the next start", _queue.size());
		_queue.clear();
	}
	_planner = ClaimPlanner(ClaimPlanner::Options{_options.workers, _options.maxInFlight, PREFETCH});
	_idleWorkers = 0;
	_nextRetry = 0;
	return aborted;
}

void Dispatcher::wake()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_woken = true;
		if (!_sleeping) return;  // it looks again before it sleeps
	}
	_schedulerWake.notify_one();
}

std::deque<Dispatcher::Claim>::iterator Dispatcher::runnable()
{
	return std::find_if(_queue.begin(), _queue.end(), [this](const Claim& c) { return _planner.mayStart(c.delivery.endpointId); });
}

int Dispatcher::startable() const
{
	// Per endpoint: its queued claims, up to the attempts it may still start.
	std::map<std::string, int> queued;
	for (const auto& c : _queue) ++queued[c.delivery.endpointId];
	int n = 0;
	for (const auto& [endpoint, count] : queued) n += std::min(count, _planner.startableOf(endpoint));
	return n;
}

int Dispatcher::addWorkers()
{
	const int wanted = std::min(startable(), _options.workers - _busy);
	int added = 0;
	while (_idleWorkers + added < wanted && static_cast<int>(_workers.size()) < _options.workers)
	{
		_workers.emplace_back([this] { runWorker(); });
		++added;
	}
	return wanted;
}

void Dispatcher::updateGauges()
{
	if (_metrics) _metrics->deliveryConcurrency(_planner.inFlight(), _planner.endpointsAtCap(), _planner.endpointsRateLimited());
}

void Dispatcher::report(const ClaimPlanner::Plan& plan)
{
	for (const auto& p : plan.reportAtCap)
		_logger.warning("endpoint %s (account %s) is at its cap of %d attempts in flight; its other due deliveries wait "
			"(reported at most once a minute per endpoint)", p.endpointId, p.accountId, p.maxInFlight > 0 ? p.maxInFlight : _options.maxInFlight);
	for (const auto& p : plan.reportRateLimited)
		_logger.warning("endpoint %s (account %s) is at its rate limit of %d attempts per second; its other due deliveries wait "
			"(reported at most once a minute per endpoint)", p.endpointId, p.accountId, p.rateLimit);
}

void Dispatcher::runScheduler()
{
	const auto pollMs = std::max<Poco::Int64>(1, _options.pollInterval.totalMilliseconds());
	while (true)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_stopping) return;
			_woken = false;
		}

		Poco::Int64 waitMs = pollMs;
		Millis claimedAt = 0;
		bool again = false;
		try
		{
			const Millis now = _clock.now();
			claimedAt = now;
			const Millis leaseUntil = now + _options.leaseTime.totalMilliseconds();
			const auto pending = _store.pendingEndpoints();
			ClaimPlanner::Plan plan;
			{
				std::lock_guard<std::mutex> lock(_mutex);
				plan = _planner.plan(pending, now);
				updateGauges();
			}
			report(plan);
			if (!plan.claims.empty())
			{
				int wakeWorkers = 0;
				auto claimed = _store.claimDue(now, leaseUntil, plan.claims);
				std::map<std::string, std::size_t> got;
				for (const auto& d : claimed) ++got[d.endpointId];
				{
					std::lock_guard<std::mutex> lock(_mutex);
					for (const auto& c : plan.claims)
					{
						if (_planner.claimed(c.endpointId, c.max, got[c.endpointId])) again = true;
					}
					for (auto& d : claimed) _queue.push_back(Claim{std::move(d), leaseUntil});
					wakeWorkers = addWorkers();
				}
				// Only as many as may start: the others would wake for nothing.
				for (int i = 0; i < wakeWorkers; ++i) _workAvailable.notify_one();
			}
			if (plan.wakeAt > now) waitMs = std::min<Poco::Int64>(waitMs, plan.wakeAt - now);
		}
		catch (const Poco::Exception& e)
		{
			_logger.error("dispatcher: claiming due deliveries failed: %s", e.displayText());
		}
		catch (const std::exception& e)
		{
			_logger.error("dispatcher: claiming due deliveries failed: %s", std::string(e.what()));
		}
		if (again) continue;

		std::unique_lock<std::mutex> lock(_mutex);
		// The store does not see a retry behind deliveries still in flight (they are claimed):
		// the retries this process scheduled are remembered.
		if (_nextRetry != 0)
		{
			if (_nextRetry <= claimedAt) _nextRetry = 0;  // due at the claim just made: taken with it
			else waitMs = std::min<Poco::Int64>(waitMs, _nextRetry - claimedAt);
		}
		_sleeping = true;
		_schedulerWake.wait_for(lock, std::chrono::milliseconds(waitMs), [this] { return _stopping || _woken; });
		_sleeping = false;
		if (_stopping) return;
	}
}

void Dispatcher::runWorker()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		std::deque<Claim>::iterator next;
		++_idleWorkers;
		_workAvailable.wait(lock, [this, &next] { return _stopping || (next = runnable()) != _queue.end(); });
		--_idleWorkers;
		if (_stopping) return;
		const ClaimedDelivery delivery = std::move(next->delivery);
		const Millis leaseUntil = next->leaseUntil;
		_queue.erase(next);
		++_busy;
		// An attempt must end inside the lease: after it, another node (or this one's next
		// claim) may send the delivery too. One that waited too long for a worker is left
		// to be claimed again when its lease ends.
		const Millis startedAt = _clock.now();
		const bool inLease = startedAt + _options.timeout.totalMilliseconds() < leaseUntil;
		if (inLease) _planner.started(delivery.endpointId);
		else _planner.dropped(delivery.endpointId);
		updateGauges();
		lock.unlock();

		Millis retryAt = 0;
		try
		{
			if (inLease) retryAt = process(delivery);
			else _logger.warning("delivery %s: its lease would end before an attempt could; left for the next claim", delivery.id);
		}
		catch (const Poco::Exception& e)
		{
			_logger.error("delivery %s: %s (left for retry when its lease ends)", delivery.id, e.displayText());
		}
		catch (const std::exception& e)
		{
			_logger.error("delivery %s: %s (left for retry when its lease ends)", delivery.id, std::string(e.what()));
		}
		catch (...)
		{
			_logger.error("delivery %s: unknown error (left for retry when its lease ends)", delivery.id);
		}

		const Millis endedAt = inLease ? _clock.now() : 0;
		lock.lock();
		--_busy;
		if (_busy == 0 && _stopping) _idle.notify_all();
		// The scheduler is woken only if it can act: a retry may be due sooner than its next
		// look, or the room it waits for is there.
		// (A claim dropped for its lease frees room too.)
		bool wakeScheduler = !inLease || _planner.finished(delivery.endpointId, endedAt - startedAt, endedAt);
		updateGauges();
		if (retryAt != 0)
		{
			if (_nextRetry == 0 || retryAt < _nextRetry) _nextRetry = retryAt;
			wakeScheduler = true;
		}
		// (No other worker is woken: a claim this attempt's end lets start is this worker's next.)
		if (wakeScheduler)
		{
			_woken = true;
			if (_sleeping) _schedulerWake.notify_one();
		}
	}
}

DeliveryRequest Dispatcher::httpRequest(const ClaimedDelivery& delivery, const Endpoint& endpoint, Millis now) const
{
	DeliveryRequest request;
	request.target = endpoint.url;
	request.body = delivery.payload;
	request.timeout = _options.timeout;
	const Poco::Int64 seconds = now / 1000;
	std::string signature = WebhookSignature::sign(endpoint.secret, delivery.eventId, seconds, delivery.payload);
	if (!endpoint.previousSecret.empty() && endpoint.previousSecretUntil > now)
		signature += " " + WebhookSignature::sign(endpoint.previousSecret, delivery.eventId, seconds, delivery.payload);
	request.headers.emplace_back("webhook-id", delivery.eventId);
	request.headers.emplace_back("webhook-timestamp", Poco::NumberFormatter::format(seconds));
	request.headers.emplace_back("webhook-signature", signature);
	if (endpoint.authHeader) request.headers.emplace_back(endpoint.authHeader->key, endpoint.authHeader->value);
	return request;
}

DeliveryRequest Dispatcher::emailRequest(const ClaimedDelivery& delivery, const Endpoint& endpoint) const
{
	DeliveryRequest request;
	request.target = endpoint.email;
	request.body = delivery.payload;
	request.timeout = _options.timeout;
	request.attachmentName = delivery.eventType + "_" + delivery.id + ".json";
	const std::map<std::string, std::string> values{{"eventType", delivery.eventType}, {"eventId", delivery.eventId},
		{"deliveryId", delivery.id}, {"account", delivery.accountId}, {"endpointId", delivery.endpointId},
		{"created", Iso8601::format(delivery.createdAt)}, {"attachmentName", request.attachmentName}};
	request.subject = _emailTemplates.subject(values);
	request.text = _emailTemplates.text(values);
	request.headers.emplace_back("X-Webhook-Id", delivery.eventId);
	return request;
}

Millis Dispatcher::process(const ClaimedDelivery& delivery)
{
	const auto endpoint = _store.endpoint(delivery.accountId, delivery.endpointId);
	if (!endpoint)
	{
		_store.cancel(delivery.seq, "endpoint deleted");
		return 0;
	}

	const std::string transportName = endpoint->transport();
	const auto found = _transports.find(transportName);
	Transport* transport = found == _transports.end() ? nullptr : found->second;

	const Millis startedAt = _clock.now();
	DeliveryOutcome outcome;
	if (!transport)
	{
		outcome.kind = DeliveryOutcome::Kind::Permanent;
		outcome.error = "no " + transportName + " transport is configured";
	}
	else
	{
		const DeliveryRequest request = transportName == "email" ? emailRequest(delivery, *endpoint)
			: httpRequest(delivery, *endpoint, startedAt);
		outcome = transport->deliver(request);
	}
	if (_aborting)
	{
		// Cut short by stop(grace): no attempt happened as far as the log is concerned; the
		// delivery keeps its claim and goes out again after the restart.
		_logger.information("delivery %s: attempt aborted by the stop; it goes out again after the restart", delivery.id);
		return 0;
	}

	Attempt attempt;
	attempt.at = startedAt;
	attempt.responseCode = outcome.responseCode;
	attempt.durationMs = outcome.duration.totalMilliseconds();
	attempt.error = outcome.error;
	if (outcome.responseCode > 0 || !outcome.responseBody.empty()) attempt.responseBody = outcome.responseBody;

	DeliveryStatus status = DeliveryStatus::Failed;
	Millis next = 0;
	switch (outcome.kind)
	{
	case DeliveryOutcome::Kind::Succeeded:
		status = DeliveryStatus::Succeeded;
		break;
	case DeliveryOutcome::Kind::Permanent:
		status = DeliveryStatus::Failed;
		break;
	case DeliveryOutcome::Kind::Transient:
		if (auto delay = _retryPolicy.delayAfter(delivery.attemptCount + 1, outcome.retryAfter))
		{
			status = DeliveryStatus::Pending;
			next = _clock.now() + delay->totalMilliseconds();
		}
		break;
	}
	_store.recordAttempt(delivery.seq, attempt, status, next, _options.waitForRecords);
	if (_metrics)
	{
		const Metrics::Result result = outcome.kind == DeliveryOutcome::Kind::Succeeded ? Metrics::Result::Succeeded
			: outcome.kind == DeliveryOutcome::Kind::Transient ? Metrics::Result::Transient : Metrics::Result::Permanent;
		_metrics->attempt(transportName, result, static_cast<double>(outcome.duration.totalMicroseconds()) / 1e6,
			status != DeliveryStatus::Pending);
	}
	if (status == DeliveryStatus::Pending)
		_logger.information("delivery %s attempt %d failed (%s); next attempt in %Ld ms", delivery.id,
			delivery.attemptCount + 1, outcome.error, next - _clock.now());
	else if (status == DeliveryStatus::Failed)
		_logger.warning("delivery %s failed after %d attempt(s): %s", delivery.id, delivery.attemptCount + 1, outcome.error);
	else
		_logger.debug("delivery %s succeeded (%d)", delivery.id, outcome.responseCode);
	return next;
}

} // namespace Hookgate

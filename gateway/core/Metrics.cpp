#include "gateway/core/Metrics.h"

#include <iomanip>
#include <sstream>

namespace Hookgate {

const std::array<double, 12> Metrics::BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

namespace {

const char* const TRANSPORTS[] = {"http", "email"};
const char* const RESULTS[] = {"succeeded", "transient", "permanent"};
const char* const OUTCOMES[] = {"succeeded", "failed"};

} // namespace

void Metrics::eventIngested(std::size_t deliveries)
{
	++_events;
	_deliveriesCreated += deliveries;
}

void Metrics::replayed()
{
	++_replays;
	++_deliveriesCreated;
}

void Metrics::attempt(const std::string& transport, Result result, double seconds, bool final)
{
	const std::size_t t = transportIndex(transport);
	++_attempts[t][static_cast<std::size_t>(result)];
	if (final) ++_finished[t][result == Result::Succeeded ? 0 : 1];
	Histogram& h = _durations[t];
	std::size_t i = 0;
	while (i < BUCKETS.size() && seconds > BUCKETS[i]) ++i;
	++h.buckets[i];
	++h.count;
	h.microsSum += static_cast<Poco::UInt64>(seconds * 1e6);
}

std::string Metrics::render(const QueueSummary& queue, Millis now) const
{
	std::ostringstream out;
	out << "# HELP hookgate_events_ingested_total Events accepted by the API since start.\n"
		<< "# TYPE hookgate_events_ingested_total counter\n"
		<< "hookgate_events_ingested_total " << _events.load() << "\n";
	out << "# HELP hookgate_deliveries_created_total Deliveries created (by ingest and replay) since start.\n"
		<< "# TYPE hookgate_deliveries_created_total counter\n"
		<< "hookgate_deliveries_created_total " << _deliveriesCreated.load() << "\n";
	out << "# HELP hookgate_replays_total Deliveries replayed since start.\n"
		<< "# TYPE hookgate_replays_total counter\n"
		<< "hookgate_replays_total " << _replays.load() << "\n";
	out << "# HELP hookgate_http_connections_open Connections to the API port open now.\n"
		<< "# TYPE hookgate_http_connections_open gauge\n"
		<< "hookgate_http_connections_open " << _connectionsOpen.load() << "\n";
	out << "# HELP hookgate_http_connections_refused_total Connections refused by hookgate.http.maxConnections or maxConnectionsPerClient since start.\n"
		<< "# TYPE hookgate_http_connections_refused_total counter\n"
		<< "hookgate_http_connections_refused_total " << _connectionsRefused.load() << "\n";
	out << "# HELP hookgate_http_connections_timed_out_total Connections cut off by hookgate.http.headerTimeout or bodyTimeout since start.\n"
		<< "# TYPE hookgate_http_connections_timed_out_total counter\n"
		<< "hookgate_http_connections_timed_out_total " << _connectionsTimedOut.load() << "\n";
	out << "# HELP hookgate_delivery_attempts_in_flight Delivery attempts in flight now.\n"
		<< "# TYPE hookgate_delivery_attempts_in_flight gauge\n"
		<< "hookgate_delivery_attempts_in_flight " << _attemptsInFlight.load() << "\n";
	out << "# HELP hookgate_delivery_workers The cap on delivery attempts in flight (hookgate.delivery.workers).\n"
		<< "# TYPE hookgate_delivery_workers gauge\n"
		<< "hookgate_delivery_workers " << _deliveryWorkers.load() << "\n";
	out << "# HELP hookgate_delivery_endpoints_at_cap Endpoints whose due deliveries wait because their attempts in flight reached their maxInFlight.\n"
		<< "# TYPE hookgate_delivery_endpoints_at_cap gauge\n"
		<< "hookgate_delivery_endpoints_at_cap " << _endpointsAtCap.load() << "\n";
	out << "# HELP hookgate_delivery_endpoints_rate_limited Endpoints whose due deliveries wait for their rateLimit.\n"
		<< "# TYPE hookgate_delivery_endpoints_rate_limited gauge\n"
		<< "hookgate_delivery_endpoints_rate_limited " << _endpointsRateLimited.load() << "\n";
	out << "# HELP hookgate_deliveries_total Deliveries finished since start, by transport and outcome.\n"
		<< "# TYPE hookgate_deliveries_total counter\n";
	for (std::size_t t = 0; t < 2; ++t)
		for (std::size_t o = 0; o < 2; ++o)
			out << "hookgate_deliveries_total{transport=\"" << TRANSPORTS[t] << "\",outcome=\"" << OUTCOMES[o] << "\"} "
				<< _finished[t][o].load() << "\n";
	out << "# HELP hookgate_attempts_total Delivery attempts since start, by transport and result.\n"
		<< "# TYPE hookgate_attempts_total counter\n";
	for (std::size_t t = 0; t < 2; ++t)
		for (std::size_t r = 0; r < 3; ++r)
			out << "hookgate_attempts_total{transport=\"" << TRANSPORTS[t] << "\",result=\"" << RESULTS[r] << "\"} "
				<< _attempts[t][r].load() << "\n";
	out << "# HELP hookgate_attempt_duration_seconds Duration of delivery attempts.\n"
		<< "# TYPE hookgate_attempt_duration_seconds histogram\n";
	for (std::size_t t = 0; t < 2; ++t)
	{
		const Histogram& h = _durations[t];
		Poco::UInt64 cumulative = 0;
		for (std::size_t i = 0; i <= BUCKETS.size(); ++i)
		{
			cumulative += h.buckets[i].load();
			out << "hookgate_attempt_duration_seconds_bucket{transport=\"" << TRANSPORTS[t] << "\",le=\"";
			if (i < BUCKETS.size()) out << BUCKETS[i];
			else out << "+Inf";
			out << "\"} " << cumulative << "\n";
		}
		out << "hookgate_attempt_duration_seconds_sum{transport=\"" << TRANSPORTS[t] << "\"} " << std::fixed
			<< std::setprecision(6) << static_cast<double>(h.microsSum.load()) / 1e6 << std::defaultfloat << "\n";
		out << "hookgate_attempt_duration_seconds_count{transport=\"" << TRANSPORTS[t] << "\"} " << h.count.load() << "\n";
	}
	out << "# HELP hookgate_pending_deliveries Deliveries waiting to be sent (queue depth).\n"
		<< "# TYPE hookgate_pending_deliveries gauge\n"
		<< "hookgate_pending_deliveries " << queue.pending << "\n";
	const double age = queue.oldestPendingCreatedAt > 0 && now > queue.oldestPendingCreatedAt
		? static_cast<double>(now - queue.oldestPendingCreatedAt) / 1000.0 : 0.0;
	out << "# HELP hookgate_oldest_pending_age_seconds Age of the oldest pending delivery (0 when none).\n"
		<< "# TYPE hookgate_oldest_pending_age_seconds gauge\n"
		<< "hookgate_oldest_pending_age_seconds " << std::fixed << std::setprecision(3) << age << std::defaultfloat << "\n";
	out << "# HELP hookgate_archived_deliveries Deliveries archived by the retention period (payload deleted).\n"
		<< "# TYPE hookgate_archived_deliveries gauge\n"
		<< "hookgate_archived_deliveries " << queue.archived << "\n";
	return out.str();
}

} // namespace Hookgate

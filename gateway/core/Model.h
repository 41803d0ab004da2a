#pragma once

#include <Poco/Types.h>

#include <optional>
#include <string>
#include <vector>

namespace Hookgate {

/// Times are milliseconds since the Unix epoch, UTC; 0 means "none" (JSON null).
using Millis = Poco::Int64;

struct Account
{
	std::string id;
	std::string name;
	std::string plan;
	bool webhooksEnabled = false;
	Millis createdAt = 0;
	int endpointCount = 0;  ///< filled in by the store on reads
};

struct AuthHeader
{
	std::string key;
	std::string value;
};

struct Endpoint
{
	std::string id;
	std::string accountId;
	std::string url;    ///< empty = none
	std::string email;  ///< empty = none; when set, the payload is mailed and no HTTP request is made
	std::optional<AuthHeader> authHeader;
	std::vector<std::string> eventTypes;
	std::string hierarchy = "nested";
	std::string description;
	bool enabled = true;
	/// Attempts in flight to this endpoint at most (per node); 0: the default, hookgate.delivery.maxInFlight.
	int maxInFlight = 0;
	/// Attempts started per second at most (per node); 0: no limit.
	int rateLimit = 0;
	std::string secret;
	std::string previousSecret;      ///< still signs until previousSecretUntil
	Millis previousSecretUntil = 0;
	Millis createdAt = 0;

	std::string transport() const { return email.empty() ? "http" : "email"; }
};

enum class DeliveryStatus
{
	Pending,
	Succeeded,
	Failed
};

const char* toString(DeliveryStatus status);
std::optional<DeliveryStatus> parseDeliveryStatus(const std::string& text);

struct Attempt
{
	Millis at = 0;
	int responseCode = 0;  ///< 0 = no reply
	Poco::Int64 durationMs = 0;
	std::string error;     ///< empty = none
	std::optional<std::string> responseBody;
};

struct Delivery
{
	Poco::Int64 seq = 0;  ///< store order; the paging cursor
	std::string id;
	std::string accountId;
	std::string endpointId;
	std::string eventId;
	std::string eventType;
	std::string transport;
	Millis createdAt = 0;
	DeliveryStatus status = DeliveryStatus::Pending;
	int attemptCount = 0;
	Millis lastAttemptAt = 0;
	Millis nextAttemptAt = 0;
	int responseCode = 0;
	std::string replayOf;
	int replayCount = 0;
	bool archived = false;
	std::string lastError;          ///< why it failed last (attempt error or cancellation), empty = none
	std::vector<Attempt> attempts;  ///< oldest first; only when asked for
};

/// A delivery to be created together with its event.
struct NewDelivery
{
	std::string id;
	std::string endpointId;
	std::string transport;
	std::string payload;  ///< the bytes every attempt, replay, raw view and download use
};

struct Event
{
	std::string id;
	std::string accountId;
	std::string type;
	std::string idempotencyKey;  ///< empty = none
	Millis createdAt = 0;
};

/// The answer to an ingest, also for a repeated idempotency key.
struct IngestResult
{
	std::string eventId;
	std::string type;
	std::vector<std::pair<std::string, std::string>> deliveries;  ///< (delivery id, endpoint id)
	bool duplicate = false;
};

/// Counts of an endpoint's deliveries (the statistics beside each endpoint).
struct EndpointStats
{
	Poco::Int64 total = 0;
	Poco::Int64 succeeded = 0;
	Poco::Int64 failed = 0;
	Poco::Int64 pending = 0;
};

/// What metrics need of the queue.
struct QueueSummary
{
	Poco::Int64 pending = 0;
	Millis oldestPendingCreatedAt = 0;  ///< 0 = nothing pending
	Poco::Int64 archived = 0;
};

/// A due delivery claimed by the dispatcher, with everything needed to attempt it.
struct ClaimedDelivery
{
	Poco::Int64 seq = 0;
	std::string id;
	std::string accountId;
	std::string endpointId;
	std::string eventId;
	std::string eventType;
	Millis createdAt = 0;
	int attemptCount = 0;
	std::string payload;
};

/// An endpoint with pending deliveries, as the dispatcher's fair claims need it.
struct PendingEndpoint
{
	std::string endpointId;
	std::string accountId;
	int maxInFlight = 0;  ///< the endpoint's own cap; 0: the default
	int rateLimit = 0;    ///< attempts per second; 0: none
	/// When its earliest pending delivery is due (may be in the future; may be held by a claim).
	Millis nextDue = 0;
};

/// How many due deliveries of one endpoint to claim, at most.
struct EndpointClaim
{
	std::string endpointId;
	std::size_t max = 0;
};

} // namespace Hookgate

#pragma once

#include "gateway/core/Model.h"

#include <Poco/Exception.h>

#include <optional>
#include <string>
#include <vector>

namespace Hookgate {

/// The store could not do its job (I/O error, database unreachable): the API answers 503.
POCO_DECLARE_EXCEPTION(, StoreUnavailableException, Poco::RuntimeException)

/// Everything Hookgate keeps. One interface, one implementation per database engine.
/// All methods are thread-safe; every write is committed before the method returns.
class Store
{
public:
	enum class CreateResult
	{
		Created,
		AlreadyExists,
		LimitReached
	};

	virtual ~Store() = default;

	// Accounts
	virtual CreateResult createAccount(const Account& account) = 0;
	virtual std::optional<Account> account(const std::string& id) = 0;
	virtual std::vector<Account> accounts() = 0;
	virtual bool updateAccount(const Account& account) = 0;
	/// Removes the account and its endpoints; their pending deliveries end failed ("account deleted").
	virtual bool deleteAccount(const std::string& id, Millis now) = 0;

	// Account tokens (only a hash of each token is kept)
	virtual void addToken(const std::string& accountId, const std::string& tokenHash, Millis now) = 0;
	/// The account a token hash belongs to, if any.
	virtual std::optional<std::string> accountOfToken(const std::string& tokenHash) = 0;

	// Endpoints
	/// Creates the endpoint unless the account already has `limit` endpoints (checked atomically).
	virtual CreateResult createEndpoint(const Endpoint& endpoint, int limit) = 0;
	virtual std::optional<Endpoint> endpoint(const std::string& accountId, const std::string& id) = 0;
	virtual std::vector<Endpoint> endpoints(const std::string& accountId) = 0;
	virtual bool updateEndpoint(const Endpoint& endpoint) = 0;
	/// Creates the endpoint, or replaces the fields of the one with its id (also one deleted
	/// before, which comes back); the limit applies when the account gains an endpoint.
	virtual CreateResult upsertEndpoint(const Endpoint& endpoint, int limit) = 0;
	/// Removes the endpoint; its pending deliveries end failed ("endpoint deleted"); its log stays.
	virtual bool deleteEndpoint(const std::string& accountId, const std::string& id, Millis now) = 0;

	// Ingest
	/// The result stored for an idempotency key, if any.
	virtual std::optional<IngestResult> eventByKey(const std::string& accountId, const std::string& key) = 0;
	/// Stores the event and its deliveries (with their payloads) in one transaction, committed
	/// before it returns. If the event's idempotency key exists already, stores nothing and
	/// returns the first result with duplicate = true.
	virtual IngestResult insertEvent(const Event& event, const std::vector<NewDelivery>& deliveries) = 0;

	// Dispatcher
	/// Every endpoint that has pending deliveries (a disabled one's are held: it is left out),
	/// with its delivery settings and when its earliest pending delivery is due (held or not).
	virtual std::vector<PendingEndpoint> pendingEndpoints() = 0;
	/// Claims, for each endpoint named, up to its `max` pending deliveries due at `now` that
	/// nobody holds, in due order, reserving them until `leaseUntil`.
	virtual std::vector<ClaimedDelivery> claimDue(Millis now, Millis leaseUntil, const std::vector<EndpointClaim>& claims) = 0;
	/// Claims up to `max` due deliveries of any endpoints, the endpoint due first first (for
	/// tools and tests; the dispatcher shares claims out itself).
	std::vector<ClaimedDelivery> claimDue(Millis now, Millis leaseUntil, std::size_t max);
	/// The earliest time a pending delivery (held or not) becomes due (0 = none).
	Millis nextDueTime();
	/// Records one attempt and the delivery's new state, and releases the claim. With
	/// waitForCommit false it returns before the commit (grouped with later writes): a crash
	/// before that commit loses the record, and the delivery is sent again when its claim
	/// ends — at-least-once, as always.
	virtual void recordAttempt(Poco::Int64 seq, const Attempt& attempt, DeliveryStatus status, Millis nextAttemptAt,
		bool waitForCommit = true) = 0;
	/// Ends a claimed delivery as failed without an attempt (its endpoint is gone), with the reason.
	virtual void cancel(Poco::Int64 seq, const std::string& reason) = 0;
	/// Releases every claim (start-up of a single-node store: the previous process is gone).
	virtual void releaseClaims() = 0;

	// Log
	virtual std::optional<Delivery> delivery(const std::string& accountId, const std::string& id, bool withAttempts) = 0;
	/// The payload bytes of a delivery (none once archived).
	virtual std::optional<std::string> payload(Poco::Int64 deliverySeq) = 0;
	/// Newest first, those with seq < beforeSeq (0 = from the newest).
	virtual std::vector<Delivery> deliveries(const std::string& accountId, const std::string& endpointId,
		std::optional<DeliveryStatus> status, Poco::Int64 beforeSeq, std::size_t limit) = 0;

	/// The endpoint's statistics over deliveries created at or after `since` (0 = all).
	virtual EndpointStats stats(const std::string& endpointId, Millis since) = 0;

	// Replay and recovery
	enum class ReplayResult
	{
		Replayed,
		NotFound,
		Archived,
		EndpointGone
	};
	/// A new delivery of the same bytes to the same endpoint (replayOf = the original, which
	/// counts it in replayCount). `newId` names the new delivery; `replay` receives it.
	virtual ReplayResult replay(const std::string& accountId, const std::string& deliveryId, const std::string& newId,
		Millis now, Delivery& replay) = 0;
	/// The failed, not archived deliveries of an endpoint created in [since, until), oldest first.
	virtual std::vector<std::string> failedBetween(const std::string& accountId, const std::string& endpointId,
		Millis since, Millis until) = 0;

	// Retention
	/// Archives up to `batch` finished deliveries created before `cutoff`: deletes their payload
	/// and response bodies and marks them archived. Returns how many it archived.
	virtual std::size_t archiveBefore(Millis cutoff, std::size_t batch) = 0;
	/// Gives freed pages back to the file system.
	virtual void reclaimSpace() = 0;

	virtual QueueSummary queueSummary() = 0;
	/// One small durable write (a store counter set to itself, committed as every write is):
	/// throws as a failing write does (disk full, read-only file system, database gone).
	virtual void probeWrite() = 0;

	virtual void close() = 0;
};

} // namespace Hookgate

#pragma once

#include "gateway/store/GroupCommit.h"
#include "gateway/store/PostgreSQLConnection.h"
#include "gateway/core/Store.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace Hookgate {

/// The store for several nodes: one PostgreSQL database shared by any number of identical
/// gateways, with no coordinator but the database (libpq; see PostgreSQLConnection for why
/// not Poco's connector).
///
/// - Writes go through one connection with group commit: the writes of concurrent threads
///   share one transaction (one commit, one fsync); each caller returns after that commit.
///   A transaction that loses a deadlock or serialization conflict against another node is
///   run again (a few times) before its callers see an error. Reads use a small pool of
///   connections and see what is committed.
/// - Nodes share work with leases: claimDue() takes due deliveries with FOR UPDATE SKIP
///   LOCKED and marks them claimed until `leaseUntil`; another node's claim skips them until
///   then. Times are the callers' clocks: nodes need clocks in step (NTP) to well under the lease.
/// - Races between nodes are settled by the database, not by in-process locks: the plan
///   limit by locking the account row while counting, idempotency keys by a unique index
///   (INSERT ... ON CONFLICT DO NOTHING; the second node gets the first result), replay
///   counters by an atomic UPDATE.
/// - Statistics counters are no hot row: a trigger appends one delta row per change
///   (inserts never wait for each other), and deltas are folded into per-(endpoint, hour,
///   status) rows now and then by one node at a time (pg_try_advisory_xact_lock).
/// - The schema is migrated at open under pg_advisory_xact_lock, so nodes starting together
///   wait for one another instead of racing.
/// - With `notifyChannel` set, every commit that made deliveries due (ingest, replay) is
///   followed by a NOTIFY on it, and listen() calls back on each one received (any node's), so
///   a delivery ingested on one node is picked up at once by the others.
/// - A lost connection or a server that is down gives StoreUnavailableException; the next call
///   reconnects.
class PostgreSQLStore : public Store
{
public:
	struct Options
	{
		std::string connection;          ///< libpq connection string
		std::size_t readConnections = 4; ///< most reader connections open at once
		/// Channel of the wake-up notifications ("" = none are sent).
		std::string notifyChannel = "hookgate_due";
		/// Counter deltas are folded after this many writes or this long after the last fold.
		std::size_t foldEvery = 2000;
		std::chrono::milliseconds foldInterval{2000};
	};

	explicit PostgreSQLStore(const Options& options);
	~PostgreSQLStore() override;

	/// The schema version this build creates and understands.
	static int schemaVersion();

	CreateResult createAccount(const Account& account) override;
	std::optional<Account> account(const std::string& id) override;
	std::vector<Account> accounts() override;
	bool updateAccount(const Account& account) override;
	bool deleteAccount(const std::string& id, Millis now) override;

	void addToken(const std::string& accountId, const std::string& tokenHash, Millis now) override;
	std::optional<std::string> accountOfToken(const std::string& tokenHash) override;

	CreateResult createEndpoint(const Endpoint& endpoint, int limit) override;
	CreateResult upsertEndpoint(const Endpoint& endpoint, int limit) override;
	std::optional<Endpoint> endpoint(const std::string& accountId, const std::string& id) override;
	std::vector<Endpoint> endpoints(const std::string& accountId) override;
	bool updateEndpoint(const Endpoint& endpoint) override;
	bool deleteEndpoint(const std::string& accountId, const std::string& id, Millis now) override;

	std::optional<IngestResult> eventByKey(const std::string& accountId, const std::string& key) override;
	IngestResult insertEvent(const Event& event, const std::vector<NewDelivery>& deliveries) override;

	std::vector<PendingEndpoint> pendingEndpoints() override;
	using Store::claimDue;
	std::vector<ClaimedDelivery> claimDue(Millis now, Millis leaseUntil, const std::vector<EndpointClaim>& claims) override;
	void recordAttempt(Poco::Int64 seq, const Attempt& attempt, DeliveryStatus status, Millis nextAttemptAt,
		bool waitForCommit = true) override;
	void cancel(Poco::Int64 seq, const std::string& reason) override;
	/// Does nothing: other nodes may hold claims on the same database, and this store cannot
	/// tell a crashed node's claims from a live one's. Claims of a node that died are taken
	/// again when their lease ends (leaseUntil of claimDue). Claims this store made and that
	/// were not attempted (recordAttempt, cancel) when it is closed (a clean stop) are handed
	/// back by close(), so that other nodes, or this one after a restart, take them at once.
	void releaseClaims() override;

	std::optional<Delivery> delivery(const std::string& accountId, const std::string& id, bool withAttempts) override;
	std::optional<std::string> payload(Poco::Int64 deliverySeq) override;
	std::vector<Delivery> deliveries(const std::string& accountId, const std::string& endpointId,
		std::optional<DeliveryStatus> status, Poco::Int64 beforeSeq, std::size_t limit) override;

	EndpointStats stats(const std::string& endpointId, Millis since) override;

	ReplayResult replay(const std::string& accountId, const std::string& deliveryId, const std::string& newId,
		Millis now, Delivery& replay) override;
	std::vector<std::string> failedBetween(const std::string& accountId, const std::string& endpointId,
		Millis since, Millis until) override;
	/// Archives one batch in one short transaction; rows another node is archiving at the same
	/// time are skipped (FOR UPDATE SKIP LOCKED), so sweeps of several nodes do not wait.
	std::size_t archiveBefore(Millis cutoff, std::size_t batch) override;
	/// Does nothing: PostgreSQL's autovacuum makes the space of deleted rows reusable.
	void reclaimSpace() override;
	QueueSummary queueSummary() override;
	void probeWrite() override;

	/// Calls `onNotify` (on a thread of the store) for every wake-up notification on
	/// Options::notifyChannel, also those of this node, and once after each reconnect (one may
	/// have been missed). Replaces an earlier callback; an empty one stops listening.
	void listen(std::function<void()> onNotify);

	/// Folds the statistics counter deltas now (normally done along with writes).
	void foldCounters();

	void close() override;

private:
	using Connection = PostgreSQLConnection;

	/// Runs `body(writer)` as one job of a group commit; returns its result once committed.
	template <typename F>
	auto write(F&& body) -> decltype(body(std::declval<Connection&>()))
	{
		using Result = decltype(body(std::declval<Connection&>()));
		GroupCommit::Job job;
		if constexpr (std::is_void_v<Result>)
		{
			job.run = [&] { body(writer()); };
			submitWrite(&job);
			if (job.error) std::rethrow_exception(job.error);
		}
		else
		{
			std::optional<Result> result;
			job.run = [&] { result.emplace(body(writer())); };
			submitWrite(&job);
			if (job.error) std::rethrow_exception(job.error);
			return std::move(*result);
		}
	}

	/// Runs `body(connection)` on a pooled reader connection (once more on a fresh connection
	/// if the first one turns out to be broken: reads have no side effects).
	template <typename F>
	auto read(F&& body) -> decltype(body(std::declval<Connection&>()))
	{
		for (int attempt = 0;; ++attempt)
		{
			Lease lease(*this);
			try
			{
				return body(lease.connection());
			}
			catch (const StoreUnavailableException&)
			{
				if (attempt > 0 || !lease.connection().isBroken()) throw;
			}
		}
	}

	/// A reader connection taken from the pool for one call.
	class Lease
	{
	public:
		explicit Lease(PostgreSQLStore& store);
		~Lease();
		Lease(const Lease&) = delete;
		Lease& operator=(const Lease&) = delete;
		Connection& connection() { return *_connection; }

	private:
		PostgreSQLStore& _store;
		std::unique_ptr<Connection> _connection;
	};

	void submitWrite(GroupCommit::Job* job);
	void runBatch(const std::vector<GroupCommit::Job*>& batch);
	Connection& writer();
	void migrate(Connection& c);
	void foldCountersIn(Connection& c);
	void listenLoop();
	void notifyDue(Connection& c);
	/// Releases the claims still held (see releaseClaims()).
	void handBackClaims();
	void forgetClaim(Poco::Int64 seq);

	CreateResult insertEndpoint(Connection& c, const Endpoint& endpoint, int limit);
	std::optional<IngestResult> eventByKeyIn(Connection& c, const std::string& accountId, const std::string& key);
	std::vector<Delivery> selectDeliveries(Connection& c, const char* sql, std::initializer_list<Connection::Param> params);
	void recordAttemptIn(Connection& c, Poco::Int64 seq, const Attempt& attempt, DeliveryStatus status, Millis nextAttemptAt);

	Options _options;
	std::unique_ptr<Connection> _writer;  ///< used by the group commit's leader only
	std::mutex _writerMutex;              ///< held while a batch runs
	std::unique_ptr<GroupCommit> _group;
	std::atomic<bool> _closed{false};
	bool _batchNotifies = false;  ///< the running batch made deliveries due (leader only)

	std::mutex _poolMutex;
	std::condition_variable _poolAvailable;
	std::vector<std::unique_ptr<Connection>> _idle;
	std::size_t _open = 0;  ///< reader connections in existence

	std::mutex _foldMutex;
	std::size_t _writesSinceFold = 0;
	std::chrono::steady_clock::time_point _lastFold;
	bool _foldQueued = false;

	std::mutex _heldMutex;
	std::unordered_map<Poco::Int64, Millis> _held;  ///< claimed by this store, not yet attempted: seq -> lease end

	std::mutex _listenMutex;
	std::condition_variable _listenStopped;
	std::function<void()> _onNotify;
	std::thread _listener;
	bool _listenStop = false;
};

} // namespace Hookgate

#pragma once

#include "gateway/store/SQLiteStatementCache.h"
#include "gateway/store/AccountCache.h"
#include "gateway/store/GroupCommit.h"
#include "gateway/core/Store.h"
#include "gateway/store/WalSync.h"

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

namespace Hookgate {

/// The embedded store: one SQLite database file in WAL mode, accessed through Poco Data and
/// prepared statements. One writer connection, whose writes from many threads share
/// transactions (GroupCommit), and one reader beside it. With synchronous=FULL the writer
/// commits without waiting for the disk and WalSync fsyncs the log before a write returns,
/// outside the write lock, so the next batch runs during the fsync.
class SQLiteStore : public Store
{
public:
	struct Options
	{
		std::string path;                   ///< database file; ":memory:" for tests
		std::string synchronous = "FULL";   ///< FULL or NORMAL
	};

	explicit SQLiteStore(const Options& options);
	~SQLiteStore() override;

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
	std::size_t archiveBefore(Millis cutoff, std::size_t batch) override;
	void reclaimSpace() override;
	QueueSummary queueSummary() override;
	void probeWrite() override;

	void close() override;

private:
	/// Runs `body` in a transaction shared with the writes of other threads that arrive while
	/// one commit is in progress (group commit: one fsync for all of them); a failing write
	/// undoes only itself (runBatch). Returns once the transaction holding it is committed and,
	/// if `durable`, synced to the disk; rethrows its exception.
	template <typename F>
	auto write(F&& body, bool durable = true) -> decltype(body())
	{
		using Result = decltype(body());
		GroupCommit::Job job;
		job.durable = durable;
		if constexpr (std::is_void_v<Result>)
		{
			job.run = [&] { body(); };
			submit(&job);
			if (job.error) std::rethrow_exception(job.error);
		}
		else
		{
			std::optional<Result> result;
			job.run = [&] { result.emplace(body()); };
			submit(&job);
			if (job.error) std::rethrow_exception(job.error);
			return std::move(*result);
		}
	}
	/// Runs the job in the running batch when called from inside one, else through the group commit.
	void submit(GroupCommit::Job* job);
	void runBatch(const std::vector<GroupCommit::Job*>& batch);
	/// Runs the batch in one transaction, each job in a savepoint or none; without savepoints
	/// it rolls back and returns false at the first job that fails.
	bool runJobs(SQLiteStatementCache& cache, const std::vector<GroupCommit::Job*>& batch, bool savepoints);

	void migrate();
	CreateResult insertEndpoint(const Endpoint& endpoint, int limit);
	/// The connection for this thread's statements: the writer inside a write batch, else the reader.
	Poco::Data::Session& session();
	Poco::Data::Session& writer();
	std::recursive_mutex& readMutex();
	/// The prepared statements of session()'s connection.
	SQLiteStatementCache& cache();
	std::optional<Account> readAccount(const std::string& id);
	std::vector<Endpoint> readEndpoints(const std::string& accountId);
	std::optional<IngestResult> eventByKeyLocked(const std::string& accountId, const std::string& key);
	std::vector<Delivery> selectDeliveries(const std::string& where, const std::string& a, const std::string& b,
		Poco::Int64 n, std::size_t limit);

	std::recursive_mutex _mutex;
	GroupCommit _group;
	static thread_local bool _inBatch;
	std::unique_ptr<Poco::Data::Session> _session;      ///< the writer
	std::unique_ptr<Poco::Data::Session> _readSession;  ///< none for ":memory:"
	std::recursive_mutex _readMutex;
	std::unique_ptr<SQLiteStatementCache> _writeCache;
	std::unique_ptr<SQLiteStatementCache> _readCache;
	std::unique_ptr<WalSync> _walSync;  ///< the syncer of synchronous=FULL (not in memory, not on Windows)
	AccountCache _accountCache;  ///< one process per database (the flock): nobody else changes them
	int _lockFd = -1;  ///< flock on "<database>.lock" (Unix): one gateway per database
};

} // namespace Hookgate

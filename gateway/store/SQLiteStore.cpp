#include "gateway/store/SQLiteStore.h"
#include "gateway/store/StoreColumns.h"
#include "gateway/store/WalSync.h"

#include <Poco/Format.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>

#include <sqlite3.h>
#include <Poco/Data/Statement.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Tuple.h>

#include <Poco/Logger.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

using namespace Poco::Data::Keywords;
using Poco::Int64;

namespace Hookgate {

namespace {

/// Migration N brings the schema from version N-1 to N. Append, never edit a released one.
const char* const MIGRATIONS[] = {
	// 1: the gateway core
	R"SQL(
CREATE TABLE accounts (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	plan TEXT NOT NULL,
	webhooks_enabled INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE endpoints (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	url TEXT NOT NULL,
	email TEXT NOT NULL,
	auth_key TEXT NOT NULL,
	auth_value TEXT NOT NULL,
	has_auth INTEGER NOT NULL,
	event_types TEXT NOT NULL,
	hierarchy TEXT NOT NULL,
	description TEXT NOT NULL,
	enabled INTEGER NOT NULL,
	secret TEXT NOT NULL,
	previous_secret TEXT NOT NULL DEFAULT '',
	previous_secret_until INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	deleted_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX endpoints_account ON endpoints (account_id);
CREATE TABLE events (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	type TEXT NOT NULL,
	idempotency_key TEXT,
	created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_idempotency ON events (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TABLE deliveries (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	transport TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	status INTEGER NOT NULL,
	attempt_count INTEGER NOT NULL DEFAULT 0,
	last_attempt_at INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL DEFAULT 0,
	response_code INTEGER NOT NULL DEFAULT 0,
	replay_of TEXT NOT NULL DEFAULT '',
	replay_count INTEGER NOT NULL DEFAULT 0,
	archived INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	claimed_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 0;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, seq);
CREATE INDEX deliveries_endpoint_status ON deliveries (endpoint_id, status, seq);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at);
CREATE INDEX deliveries_retention ON deliveries (created_at) WHERE archived = 0;
CREATE TABLE store_counters (
	name TEXT PRIMARY KEY,
	n INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO store_counters (name, n) VALUES ('archived', 0);
CREATE TABLE delivery_counts (
	endpoint_id TEXT NOT NULL,
	hour INTEGER NOT NULL,
	status INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (endpoint_id, hour, status)
) WITHOUT ROWID;
CREATE TRIGGER delivery_counts_insert AFTER INSERT ON deliveries BEGIN
	INSERT INTO delivery_counts (endpoint_id, hour, status, n) VALUES (NEW.endpoint_id, NEW.created_at / 3600000, NEW.status, 1)
		ON CONFLICT (endpoint_id, hour, status) DO UPDATE SET n = n + 1%
END;
CREATE TRIGGER delivery_counts_update AFTER UPDATE OF status ON deliveries WHEN OLD.status <> NEW.status BEGIN
	UPDATE delivery_counts SET n = n - 1 WHERE endpoint_id = OLD.endpoint_id AND hour = OLD.created_at / 3600000 AND status = OLD.status%
	INSERT INTO delivery_counts (endpoint_id, hour, status, n) VALUES (NEW.endpoint_id, NEW.created_at / 3600000, NEW.status, 1)
		ON CONFLICT (endpoint_id, hour, status) DO UPDATE SET n = n + 1%
END;
CREATE TRIGGER delivery_counts_delete AFTER DELETE ON deliveries BEGIN
	UPDATE delivery_counts SET n = n - 1 WHERE endpoint_id = OLD.endpoint_id AND hour = OLD.created_at / 3600000 AND status = OLD.status%
END;
CREATE TABLE payloads (
	delivery_seq INTEGER PRIMARY KEY,
	body TEXT NOT NULL
);
CREATE TABLE attempts (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	delivery_seq INTEGER NOT NULL,
	at INTEGER NOT NULL,
	response_code INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	error TEXT NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_seq);
CREATE TABLE response_bodies (
	attempt_seq INTEGER PRIMARY KEY,
	body TEXT NOT NULL
);
CREATE TABLE tokens (
	hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX tokens_account ON tokens (account_id);
)SQL",
	// 2: per-endpoint delivery limits; pending deliveries indexed by endpoint, for fair claims
	R"SQL(
ALTER TABLE endpoints ADD COLUMN max_in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER NOT NULL DEFAULT 0;
DROP INDEX deliveries_due;
CREATE INDEX deliveries_pending ON deliveries (endpoint_id, next_attempt_at) WHERE status = 0;
)SQL",
};

const int SCHEMA_VERSION = sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0]);

/// Runs `body` in a transaction; rolls back on any exception and rethrows.
template <typename F>
auto inTransaction(Poco::Data::Session& session, F&& body) -> decltype(body())
{
	session.begin();
	try
	{
		if constexpr (std::is_void_v<decltype(body())>)
		{
			body();
			session.commit();
		}
		else
		{
			auto result = body();
			session.commit();
			return result;
		}
	}
	catch (...)
	{
		try { session.rollback(); } catch (...) {}
		throw;
	}
}

const char* const DELIVERY_COLUMNS =
	"SELECT seq, id, account_id, endpoint_id, event_id, event_type, transport, created_at, status, attempt_count, "
	"last_attempt_at, next_attempt_at, response_code, replay_of, replay_count, archived, last_error FROM deliveries ";

using DeliveryRow = Poco::Tuple<Int64, std::string, std::string, std::string, std::string, std::string, std::string,
	Int64, int, int, Int64, Int64, int, std::string, int, int, std::string>;

Endpoint endpointFrom(const SQLiteStatementCache::Run& r)
{
	Endpoint e;
	e.id = r.text(0);
	e.accountId = r.text(1);
	e.url = r.text(2);
	e.email = r.text(3);
	if (r.int64(6)) e.authHeader = AuthHeader{r.text(4), r.text(5)};
	e.eventTypes = StoreColumns::splitTypes(r.text(7));
	e.hierarchy = r.text(8);
	e.description = r.text(9);
	e.enabled = r.int64(10) != 0;
	e.secret = r.text(11);
	e.previousSecret = r.text(12);
	e.previousSecretUntil = r.int64(13);
	e.createdAt = r.int64(14);
	e.maxInFlight = static_cast<int>(r.int64(15));
	e.rateLimit = static_cast<int>(r.int64(16));
	return e;
}

Delivery toDelivery(const DeliveryRow& r)
{
	Delivery d;
	d.seq = r.get<0>();
	d.id = r.get<1>();
	d.accountId = r.get<2>();
	d.endpointId = r.get<3>();
	d.eventId = r.get<4>();
	d.eventType = r.get<5>();
	d.transport = r.get<6>();
	d.createdAt = r.get<7>();
	d.status = StoreColumns::statusOf(r.get<8>());
	d.attemptCount = r.get<9>();
	d.lastAttemptAt = r.get<10>();
	d.nextAttemptAt = r.get<11>();
	d.responseCode = r.get<12>();
	d.replayOf = r.get<13>();
	d.replayCount = r.get<14>();
	d.archived = r.get<15>() != 0;
	d.lastError = r.get<16>();
	return d;
}

} // namespace

SQLiteStore::SQLiteStore(const Options& options):
	_group([this](const std::vector<GroupCommit::Job*>& batch) { runBatch(batch); }, Poco::Logger::get("hookgate.store"))
{
	Poco::Data::SQLite::Connector::registerConnector();
	if (options.path != ":memory:")
	{
		Poco::Path parent = Poco::Path(options.path).parent();
		if (!parent.toString().empty()) Poco::File(parent).createDirectories();
	}
#ifndef _WIN32
	if (options.path != ":memory:")
	{
		// One gateway per database file: a second one would release the first one's claims.
		const std::string lockPath = options.path + ".lock";
		_lockFd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (_lockFd < 0) throw StoreUnavailableException("cannot open " + lockPath + ": " + std::strerror(errno));
		if (::flock(_lockFd, LOCK_EX | LOCK_NB) != 0)
		{
			::close(_lockFd);
			_lockFd = -1;
			throw StoreUnavailableException("the database " + options.path + " is in use by another hookgate process (" + lockPath + " is locked)");
		}
	}
#endif
	_session = std::make_unique<Poco::Data::Session>("SQLite", options.path);
	auto& s = *_session;
	s << "PRAGMA busy_timeout = 5000", now;
	// Archiving frees pages; an incrementally vacuumed database gives them back. This takes
	// effect only on a new database (before WAL mode writes its first page); elsewhere a no-op.
	s << "PRAGMA auto_vacuum = INCREMENTAL", now;
	s << "PRAGMA journal_mode = WAL", now;
	const bool full = Poco::toUpper(options.synchronous) != "NORMAL";
#ifndef _WIN32
	// FULL: SQLite commits as under NORMAL and the group commit's syncer makes each batch
	// durable before its writers return (WalSync says why). In memory there is nothing to sync.
	if (full && options.path != ":memory:")
	{
		_walSync = std::make_unique<WalSync>(options.path);
		_group.setSyncer([this] { _walSync->sync(); });
	}
	s << (std::string("PRAGMA synchronous = ") + (full && !_walSync ? "FULL" : "NORMAL")), now;
#else
	s << (std::string("PRAGMA synchronous = ") + (full ? "FULL" : "NORMAL")), now;
#endif
	s << "PRAGMA foreign_keys = OFF", now;
	migrate();
	_writeCache = std::make_unique<SQLiteStatementCache>(Poco::Data::SQLite::Utility::dbHandle(*_session));
	if (options.path != ":memory:")
	{
		// Readers get their own connection: in WAL mode they read the last commit while the
		// writer is busy with the next one (an in-memory database has only the one connection).
		_readSession = std::make_unique<Poco::Data::Session>("SQLite", options.path);
		*_readSession << "PRAGMA busy_timeout = 5000", now;
		_readCache = std::make_unique<SQLiteStatementCache>(Poco::Data::SQLite::Utility::dbHandle(*_readSession));
	}
}

SQLiteStore::~SQLiteStore()
{
	try { close(); } catch (...) {}
}

thread_local bool SQLiteStore::_inBatch = false;

int SQLiteStore::schemaVersion()
{
	return SCHEMA_VERSION;
}

Poco::Data::Session& SQLiteStore::writer()
{
	if (!_session) throw StoreUnavailableException("the store is closed");
	return *_session;
}

Poco::Data::Session& SQLiteStore::session()
{
	// Inside a write batch: the writer, which sees the batch's own uncommitted rows.
	if (_inBatch || !_readSession) return writer();
	return *_readSession;
}

SQLiteStatementCache& SQLiteStore::cache()
{
	if (_inBatch || !_readCache) return *_writeCache;
	return *_readCache;
}

std::recursive_mutex& SQLiteStore::readMutex()
{
	return _readSession ? _readMutex : _mutex;
}

void SQLiteStore::migrate()
{
	std::lock_guard<std::recursive_mutex> lock(_mutex);
	auto& s = writer();
	int version = 0;
	s << "PRAGMA user_version", into(version), now;
	if (version > SCHEMA_VERSION)
		throw Poco::DataException(Poco::format("database schema version %d is newer than this hookgate understands (%d)", version, SCHEMA_VERSION));
	for (int v = version + 1; v <= SCHEMA_VERSION; ++v)
	{
		inTransaction(s, [&] {
			// Poco Data executes one statement at a time: split the migration on ';'
			// (inside trigger bodies, '%' stands for the ';' that ends each inner statement).
			Poco::StringTokenizer statements(MIGRATIONS[v - 1], ";", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
			for (const auto& sql : statements) s << Poco::replace(sql, "%", ";"), now;
			s << Poco::format("PRAGMA user_version = %d", v), now;
		});
	}
}

void SQLiteStore::submit(GroupCommit::Job* job)
{
	if (_inBatch)
	{
		job->run();  // a write inside a write: already in the batch's transaction
		if (job->detached) delete job;
		return;
	}
	_group.submit(job);
}

void SQLiteStore::runBatch(const std::vector<GroupCommit::Job*>& batch)
{
	std::lock_guard<std::recursive_mutex> lock(_mutex);
	_inBatch = true;
	// The transaction and savepoint statements are prepared once, like the hot statements
	// (through Poco Data each was compiled anew, five times per write).
	SQLiteStatementCache* cache = _session ? _writeCache.get() : nullptr;
	try
	{
		if (!cache) throw StoreUnavailableException("the store is closed");
		// First all jobs in one plain transaction. A savepoint per job would keep one failing
		// job from undoing the others, but it copies every page the job changes into a
		// statement journal first (three quarters of the pages a batch wrote); so only when a
		// job fails is the batch run again, each job in its own savepoint. The jobs only
		// compute their results: running them twice is safe.
		if (!runJobs(*cache, batch, false)) runJobs(*cache, batch, true);
	}
	catch (...)
	{
		const auto error = std::current_exception();
		try { if (cache) cache->run("ROLLBACK").execute(); } catch (...) {}
		for (GroupCommit::Job* job : batch)
			if (!job->error) job->error = error;
	}
	_inBatch = false;
}

bool SQLiteStore::runJobs(SQLiteStatementCache& c, const std::vector<GroupCommit::Job*>& batch, bool savepoints)
{
	c.run("BEGIN").execute();
	for (GroupCommit::Job* job : batch)
	{
		if (!savepoints)
		{
			try
			{
				job->run();
			}
			catch (...)
			{
				try { c.run("ROLLBACK").execute(); } catch (...) {}
				return false;
			}
			continue;
		}
		c.run("SAVEPOINT job").execute();
		try
		{
			job->run();
			c.run("RELEASE job").execute();
		}
		catch (...)
		{
			job->error = std::current_exception();
			try
			{
				c.run("ROLLBACK TO job").execute();
				c.run("RELEASE job").execute();
			}
			catch (...)
			{
			}
		}
	}
	c.run("COMMIT").execute();
	return true;
}

void SQLiteStore::close()
{
	// Commit what was queued without a waiter: a write after it returns once all before it are in.
	if (_session)
	{
		try
		{
			write([] {});
		}
		catch (...)
		{
		}
	}
	_group.stop();  // commits what came meanwhile and ends its flusher before the connection goes
	std::lock_guard<std::recursive_mutex> lock(_mutex);
	if (_session)
	{
		_writeCache.reset();
		// The checkpoint syncs the log and the database; syncs still under way end before the log goes.
		try { *_session << "PRAGMA wal_checkpoint(TRUNCATE)", now; } catch (...) {}
		if (_walSync) _walSync->close();
		_session->close();
		_session.reset();
	}
	std::lock_guard<std::recursive_mutex> readLock(_readMutex);
	if (_readSession)
	{
		_readCache.reset();
		_readSession->close();
		_readSession.reset();
	}
#ifndef _WIN32
	if (_lockFd >= 0)
	{
		::close(_lockFd);  // releases the flock
		_lockFd = -1;
	}
#endif
}

// ---- accounts

Store::CreateResult SQLiteStore::createAccount(const Account& a)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	auto& s = writer();
	return write([&] {
		int n = 0;
		s << "SELECT COUNT(*) FROM accounts WHERE id = ?", bind(a.id), into(n), now;
		if (n > 0) return CreateResult::AlreadyExists;
		s << "INSERT INTO accounts (id, name, plan, webhooks_enabled, created_at) VALUES (?, ?, ?, ?, ?)",
			bind(a.id), bind(a.name), bind(a.plan), bind(a.webhooksEnabled ? 1 : 0), bind(a.createdAt), now;
		return CreateResult::Created;
	});
}

std::optional<Account> SQLiteStore::account(const std::string& id)
{
	// Inside a write batch the uncommitted state is read, which must not be cached.
	if (_inBatch) return readAccount(id);
	AccountCache::Generation generation = 0;
	if (auto cached = _accountCache.account(id, generation)) return cached;
	auto account = readAccount(id);
	if (account) _accountCache.putAccount(*account, generation);
	return account;
}

std::optional<Account> SQLiteStore::readAccount(const std::string& id)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	auto r = cache().run("SELECT a.id, a.name, a.plan, a.webhooks_enabled, a.created_at, "
		"(SELECT COUNT(*) FROM endpoints e WHERE e.account_id = a.id AND e.deleted_at = 0) FROM accounts a WHERE a.id = ?");
	r.bind(1, id);
	if (!r.step()) return std::nullopt;
	return Account{r.text(0), r.text(1), r.text(2), r.int64(3) != 0, r.int64(4), static_cast<int>(r.int64(5))};
}

std::vector<Account> SQLiteStore::accounts()
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	std::vector<Poco::Tuple<std::string, std::string, std::string, int, Int64, int>> rows;
	session() << "SELECT a.id, a.name, a.plan, a.webhooks_enabled, a.created_at, "
		"(SELECT COUNT(*) FROM endpoints e WHERE e.account_id = a.id AND e.deleted_at = 0) FROM accounts a ORDER BY a.id",
		into(rows), now;
	std::vector<Account> out;
	for (const auto& r : rows) out.push_back(Account{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>() != 0, r.get<4>(), r.get<5>()});
	return out;
}

bool SQLiteStore::updateAccount(const Account& a)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	auto& s = writer();
	return write([&] {
		Poco::Data::Statement st(s);
		st << "UPDATE accounts SET name = ?, plan = ?, webhooks_enabled = ? WHERE id = ?",
			bind(a.name), bind(a.plan), bind(a.webhooksEnabled ? 1 : 0), bind(a.id);
		return st.execute() > 0;
	});
}

bool SQLiteStore::deleteAccount(const std::string& id, Millis now_)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	auto& s = writer();
	return write([&] {
		Poco::Data::Statement st(s);
		st << "DELETE FROM accounts WHERE id = ?", bind(id);
		if (st.execute() == 0) return false;
		// The account's data is unreachable once the account is gone; remove it so that an
		// account created later with the same id never sees it.
		s << "DELETE FROM response_bodies WHERE attempt_seq IN (SELECT a.seq FROM attempts a JOIN deliveries d ON d.seq = a.delivery_seq "
			"WHERE d.account_id = ?)", bind(id), now;
		s << "DELETE FROM attempts WHERE delivery_seq IN (SELECT seq FROM deliveries WHERE account_id = ?)", bind(id), now;
		s << "DELETE FROM payloads WHERE delivery_seq IN (SELECT seq FROM deliveries WHERE account_id = ?)", bind(id), now;
		s << "DELETE FROM deliveries WHERE account_id = ?", bind(id), now;
		s << "DELETE FROM events WHERE account_id = ?", bind(id), now;
		s << "DELETE FROM endpoints WHERE account_id = ?", bind(id), now;
		s << "DELETE FROM tokens WHERE account_id = ?", bind(id), now;
		(void)now_;
		return true;
	});
}

// ---- tokens

void SQLiteStore::addToken(const std::string& accountId, const std::string& tokenHash, Millis now_)
{
	write([&] {
		session() << "INSERT INTO tokens (hash, account_id, created_at) VALUES (?, ?, ?)", bind(tokenHash), bind(accountId), bind(now_), now;
	});
}

std::optional<std::string> SQLiteStore::accountOfToken(const std::string& tokenHash)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	std::vector<std::string> accounts;
	session() << "SELECT account_id FROM tokens WHERE hash = ?", bind(tokenHash), into(accounts), now;
	if (accounts.empty()) return std::nullopt;
	return accounts.front();
}

// ---- endpoints

Store::CreateResult SQLiteStore::createEndpoint(const Endpoint& e, int limit)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	return write([&] { return insertEndpoint(e, limit); });
}

Store::CreateResult SQLiteStore::insertEndpoint(const Endpoint& e, int limit)
{
	auto& s = session();
	{
		int exists = 0;
		s << "SELECT COUNT(*) FROM endpoints WHERE id = ?", bind(e.id), into(exists), now;
		if (exists > 0) return CreateResult::AlreadyExists;
		int count = 0;
		s << "SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND deleted_at = 0", bind(e.accountId), into(count), now;
		if (count >= limit) return CreateResult::LimitReached;
		s << "INSERT INTO endpoints (id, account_id, url, email, auth_key, auth_value, has_auth, event_types, hierarchy, "
			"description, enabled, secret, previous_secret, previous_secret_until, created_at, max_in_flight, rate_limit) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			bind(e.id), bind(e.accountId), bind(e.url), bind(e.email),
			bind(e.authHeader ? e.authHeader->key : std::string()), bind(e.authHeader ? e.authHeader->value : std::string()),
			bind(e.authHeader ? 1 : 0), bind(StoreColumns::joinTypes(e.eventTypes)), bind(e.hierarchy), bind(e.description),
			bind(e.enabled ? 1 : 0), bind(e.secret), bind(e.previousSecret), bind(e.previousSecretUntil), bind(e.createdAt),
			bind(e.maxInFlight), bind(e.rateLimit), now;
		return CreateResult::Created;
	}
}

Store::CreateResult SQLiteStore::upsertEndpoint(const Endpoint& e, int limit)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	auto& s = writer();
	return write([&] {
		std::vector<Poco::Tuple<std::string, Int64>> existing;
		s << "SELECT account_id, deleted_at FROM endpoints WHERE id = ?", bind(e.id), into(existing), now;
		if (existing.empty()) return insertEndpoint(e, limit);
		if (existing.front().get<0>() != e.accountId) return CreateResult::AlreadyExists;
		if (existing.front().get<1>() != 0)
		{
			int count = 0;
			s << "SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND deleted_at = 0", bind(e.accountId), into(count), now;
			if (count >= limit) return CreateResult::LimitReached;
		}
		s << "UPDATE endpoints SET url = ?, email = ?, auth_key = ?, auth_value = ?, has_auth = ?, event_types = ?, "
			"hierarchy = ?, description = ?, enabled = ?, secret = ?, max_in_flight = ?, rate_limit = ?, deleted_at = 0 WHERE id = ?",
			bind(e.url), bind(e.email), bind(e.authHeader ? e.authHeader->key : std::string()),
			bind(e.authHeader ? e.authHeader->value : std::string()), bind(e.authHeader ? 1 : 0),
			bind(StoreColumns::joinTypes(e.eventTypes)), bind(e.hierarchy), bind(e.description), bind(e.enabled ? 1 : 0),
			bind(e.secret), bind(e.maxInFlight), bind(e.rateLimit), bind(e.id), now;
		return CreateResult::Created;
	});
}


std::optional<Endpoint> SQLiteStore::endpoint(const std::string& accountId, const std::string& id)
{
	// Each attempt reads its endpoint: from the cached list when there is one, without a copy of it.
	if (!_inBatch)
	{
		std::optional<Endpoint> found;
		AccountCache::Generation generation = 0;
		if (_accountCache.findEndpoint(accountId, id, found, generation)) return found;
	}
	for (auto& e : endpoints(accountId))
		if (e.id == id) return std::move(e);
	return std::nullopt;
}

std::vector<Endpoint> SQLiteStore::endpoints(const std::string& accountId)
{
	if (_inBatch) return readEndpoints(accountId);
	AccountCache::Generation generation = 0;
	if (auto cached = _accountCache.endpoints(accountId, generation)) return std::move(*cached);
	auto endpoints = readEndpoints(accountId);
	_accountCache.putEndpoints(accountId, endpoints, generation);
	return endpoints;
}

std::vector<Endpoint> SQLiteStore::readEndpoints(const std::string& accountId)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	auto r = cache().run("SELECT id, account_id, url, email, auth_key, auth_value, has_auth, event_types, hierarchy, description, "
		"enabled, secret, previous_secret, previous_secret_until, created_at, max_in_flight, rate_limit FROM endpoints "
		"WHERE account_id = ? AND deleted_at = 0 ORDER BY created_at, id");
	r.bind(1, accountId);
	std::vector<Endpoint> out;
	while (r.step()) out.push_back(endpointFrom(r));
	return out;
}

bool SQLiteStore::updateEndpoint(const Endpoint& e)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	auto& s = writer();
	return write([&] {
		Poco::Data::Statement st(s);
		st << "UPDATE endpoints SET url = ?, email = ?, auth_key = ?, auth_value = ?, has_auth = ?, event_types = ?, "
			"hierarchy = ?, description = ?, enabled = ?, secret = ?, previous_secret = ?, previous_secret_until = ?, "
			"max_in_flight = ?, rate_limit = ? WHERE account_id = ? AND id = ? AND deleted_at = 0",
			bind(e.url), bind(e.email), bind(e.authHeader ? e.authHeader->key : std::string()),
			bind(e.authHeader ? e.authHeader->value : std::string()), bind(e.authHeader ? 1 : 0),
			bind(StoreColumns::joinTypes(e.eventTypes)), bind(e.hierarchy), bind(e.description), bind(e.enabled ? 1 : 0),
			bind(e.secret), bind(e.previousSecret), bind(e.previousSecretUntil), bind(e.maxInFlight), bind(e.rateLimit),
			bind(e.accountId), bind(e.id);
		return st.execute() > 0;
	});
}

bool SQLiteStore::deleteEndpoint(const std::string& accountId, const std::string& id, Millis now_)
{
	AccountCache::Invalidation invalidation(_accountCache);  // after the commit
	auto& s = writer();
	return write([&] {
		Poco::Data::Statement st(s);
		st << "UPDATE endpoints SET deleted_at = ? WHERE account_id = ? AND id = ? AND deleted_at = 0",
			bind(now_), bind(accountId), bind(id);
		if (st.execute() == 0) return false;
		session() << "UPDATE deliveries SET status = 2, next_attempt_at = 0, claimed_until = 0, last_error = 'endpoint deleted' "
			"WHERE status = 0 AND endpoint_id = ?", bind(id), now;
		return true;
	});
}

// ---- ingest

std::optional<IngestResult> SQLiteStore::eventByKeyLocked(const std::string& accountId, const std::string& key)
{
	auto& s = session();
	std::vector<Poco::Tuple<std::string, std::string>> events;
	s << "SELECT id, type FROM events WHERE account_id = ? AND idempotency_key = ?", bind(accountId), bind(key), into(events), now;
	if (events.empty()) return std::nullopt;
	IngestResult result;
	result.eventId = events.front().get<0>();
	result.type = events.front().get<1>();
	result.duplicate = true;
	std::vector<Poco::Tuple<std::string, std::string>> rows;
	s << "SELECT id, endpoint_id FROM deliveries WHERE event_id = ? AND replay_of = '' ORDER BY seq",
		bind(result.eventId), into(rows), now;
	for (const auto& r : rows) result.deliveries.emplace_back(r.get<0>(), r.get<1>());
	return result;
}

std::optional<IngestResult> SQLiteStore::eventByKey(const std::string& accountId, const std::string& key)
{
	std::optional<IngestResult> found;
	{
		std::lock_guard<std::recursive_mutex> lock(readMutex());
		found = eventByKeyLocked(accountId, key);
	}
	// The reader sees a commit before its sync, and a duplicate's answer acknowledges the event:
	// an empty write returns after a sync that began after it, so after the event is on disk.
	if (found && _walSync) write([] {});
	return found;
}

IngestResult SQLiteStore::insertEvent(const Event& event, const std::vector<NewDelivery>& deliveries)
{
	return write([&] {
		if (!event.idempotencyKey.empty())
		{
			if (auto existing = eventByKeyLocked(event.accountId, event.idempotencyKey)) return *existing;
		}
		{
			auto r = cache().run("INSERT INTO events (id, account_id, type, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?)");
			r.bind(1, event.id).bind(2, event.accountId).bind(3, event.type).bind(5, event.createdAt);
			if (event.idempotencyKey.empty()) r.bindNull(4);
			else r.bind(4, event.idempotencyKey);
			r.execute();
		}

		IngestResult result;
		result.eventId = event.id;
		result.type = event.type;
		for (const auto& d : deliveries)
		{
			cache().run("INSERT INTO deliveries (id, account_id, endpoint_id, event_id, event_type, transport, created_at, status, "
				"next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)")
				.bind(1, d.id).bind(2, event.accountId).bind(3, d.endpointId).bind(4, event.id).bind(5, event.type)
				.bind(6, d.transport).bind(7, event.createdAt).bind(8, event.createdAt).execute();
			cache().run("INSERT INTO payloads (delivery_seq, body) VALUES (last_insert_rowid(), ?)").bind(1, d.payload).execute();
			result.deliveries.emplace_back(d.id, d.endpointId);
		}
		return result;
	});
}

// ---- dispatcher

namespace {

/// `ep(id)`: the endpoints with pending deliveries, one seek each in deliveries_pending (a loose
/// index scan), whatever the number of deliveries. (INDEXED BY: the planner would take
/// deliveries_endpoint_status and walk an endpoint's whole log to find that it has nothing pending.)
const std::string PENDING_ENDPOINTS = "WITH RECURSIVE ep(id) AS ("
	"SELECT (SELECT endpoint_id FROM deliveries INDEXED BY deliveries_pending WHERE status = 0 ORDER BY endpoint_id LIMIT 1) "
	"UNION ALL SELECT (SELECT endpoint_id FROM deliveries INDEXED BY deliveries_pending WHERE status = 0 AND endpoint_id > ep.id "
	"ORDER BY endpoint_id LIMIT 1) "
	"FROM ep WHERE ep.id IS NOT NULL) ";

} // namespace

std::vector<PendingEndpoint> SQLiteStore::pendingEndpoints()
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	// One seek per endpoint with pending deliveries (a loose index scan of deliveries_pending),
	// whatever their number: the endpoints, not the deliveries, are walked.
	// (Built once: the statement cache keys on the text's address.)
	static const std::string sql = PENDING_ENDPOINTS + "SELECT ep.id, IFNULL(e.account_id, ''), IFNULL(e.max_in_flight, 0), IFNULL(e.rate_limit, 0), "
		// (Held deliveries count: skipping them would read each one's row, at every look.)
		"IFNULL((SELECT d.next_attempt_at FROM deliveries d INDEXED BY deliveries_pending WHERE d.status = 0 AND d.endpoint_id = ep.id "
		"ORDER BY d.endpoint_id, d.next_attempt_at LIMIT 1), 0) "
		"FROM ep LEFT JOIN endpoints e ON e.id = ep.id "
		// A disabled endpoint's deliveries are held until it is enabled again.
		"WHERE ep.id IS NOT NULL AND NOT IFNULL(e.enabled = 0 AND e.deleted_at = 0, 0)";
	auto r = cache().run(sql.c_str());
	std::vector<PendingEndpoint> out;
	while (r.step())
		out.push_back(PendingEndpoint{r.text(0), r.text(1), static_cast<int>(r.int64(2)), static_cast<int>(r.int64(3)), r.int64(4)});
	return out;
}

std::vector<ClaimedDelivery> SQLiteStore::claimDue(Millis now_, Millis leaseUntil, const std::vector<EndpointClaim>& claims)
{
	if (claims.empty()) return {};
	return write([&] {
		std::vector<ClaimedDelivery> out;
		for (const auto& claim : claims)
		{
			if (claim.max == 0) continue;
			const std::size_t first = out.size();
			{
				auto r = cache().run("SELECT d.seq, d.id, d.account_id, d.endpoint_id, d.event_id, d.event_type, d.created_at, "
					"d.attempt_count, IFNULL(p.body, '') FROM deliveries d LEFT JOIN payloads p ON p.delivery_seq = d.seq "
					"WHERE d.status = 0 AND d.endpoint_id = ? AND d.next_attempt_at <= ? AND d.claimed_until <= ? "
					"AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.enabled = 0 AND e.deleted_at = 0) "
					"ORDER BY d.next_attempt_at, d.seq LIMIT ?");
				r.bind(1, claim.endpointId).bind(2, now_).bind(3, now_).bind(4, static_cast<Int64>(claim.max));
				while (r.step())
					out.push_back(ClaimedDelivery{r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.int64(6),
						static_cast<int>(r.int64(7)), r.text(8)});
			}
			for (std::size_t i = first; i < out.size(); ++i)
				cache().run("UPDATE deliveries SET claimed_until = ? WHERE seq = ?").bind(1, leaseUntil).bind(2, out[i].seq).execute();
		}
		return out;
	}, false);  // a claim lost with its commit is only claimed again: no need to wait for the disk
}

void SQLiteStore::recordAttempt(Int64 seq, const Attempt& a, DeliveryStatus status, Millis nextAttemptAt, bool waitForCommit)
{
	if (!waitForCommit)
	{
		// Nobody waits: the job owns copies of what it writes.
		auto* job = new GroupCommit::Job;
		job->detached = true;
		job->run = [this, seq, a, status, nextAttemptAt] { recordAttempt(seq, a, status, nextAttemptAt, true); };
		submit(job);
		return;
	}
	write([&] {
		// Response bodies live in their own table, like payloads: deleting rows at archiving
		// frees whole pages (emptying a column would leave the pages half used).
		cache().run("INSERT INTO attempts (delivery_seq, at, response_code, duration_ms, error) VALUES (?, ?, ?, ?, ?)")
			.bind(1, seq).bind(2, a.at).bind(3, a.responseCode).bind(4, a.durationMs).bind(5, a.error).execute();
		if (a.responseBody)
			cache().run("INSERT INTO response_bodies (attempt_seq, body) VALUES (last_insert_rowid(), ?)").bind(1, *a.responseBody).execute();
		// A delivery that was cancelled meanwhile (endpoint deleted) stays failed.
		cache().run("UPDATE deliveries SET status = CASE WHEN status = 0 THEN ? ELSE status END, attempt_count = attempt_count + 1, "
			"last_attempt_at = ?, next_attempt_at = CASE WHEN status = 0 THEN ? ELSE 0 END, response_code = ?, "
			"last_error = CASE WHEN status = 0 THEN ? ELSE last_error END, claimed_until = 0 WHERE seq = ?")
			.bind(1, StoreColumns::statusCode(status)).bind(2, a.at).bind(3, status == DeliveryStatus::Pending ? nextAttemptAt : Millis(0))
			.bind(4, a.responseCode).bind(5, a.error).bind(6, seq).execute();
	});
}

void SQLiteStore::cancel(Int64 seq, const std::string& reason)
{
	write([&] {
		session() << "UPDATE deliveries SET status = 2, next_attempt_at = 0, claimed_until = 0, last_error = ? WHERE seq = ? AND status = 0",
			bind(reason), bind(seq), now;
	});
}

void SQLiteStore::releaseClaims()
{
	write([&] { session() << "UPDATE deliveries SET claimed_until = 0 WHERE claimed_until <> 0", now; });
}

// ---- log

std::vector<Delivery> SQLiteStore::selectDeliveries(const std::string& where, const std::string& a, const std::string& b,
	Int64 n, std::size_t limit)
{
	std::vector<DeliveryRow> rows;
	Poco::Data::Statement st(session());
	st << (DELIVERY_COLUMNS + where), bind(a), bind(b), into(rows);
	if (n >= 0) st, bind(n);
	if (limit > 0) st, bind(static_cast<Int64>(limit));
	st.execute();
	std::vector<Delivery> out;
	out.reserve(rows.size());
	for (const auto& r : rows) out.push_back(toDelivery(r));
	return out;
}

std::optional<Delivery> SQLiteStore::delivery(const std::string& accountId, const std::string& id, bool withAttempts)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	auto rows = selectDeliveries("WHERE account_id = ? AND id = ?", accountId, id, -1, 0);
	if (rows.empty()) return std::nullopt;
	Delivery d = rows.front();
	if (withAttempts)
	{
		// Prepared statements read text with its length: Poco Data would cut a body at a NUL byte.
		auto r = cache().run("SELECT a.at, a.response_code, a.duration_ms, a.error, b.body "
			"FROM attempts a LEFT JOIN response_bodies b ON b.attempt_seq = a.seq WHERE a.delivery_seq = ? ORDER BY a.seq");
		r.bind(1, d.seq);
		while (r.step())
		{
			Attempt a;
			a.at = r.int64(0);
			a.responseCode = static_cast<int>(r.int64(1));
			a.durationMs = r.int64(2);
			a.error = r.text(3);
			if (!r.isNull(4)) a.responseBody = r.text(4);
			d.attempts.push_back(std::move(a));
		}
	}
	return d;
}

std::optional<std::string> SQLiteStore::payload(Int64 deliverySeq)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	auto r = cache().run("SELECT body FROM payloads WHERE delivery_seq = ?");
	r.bind(1, deliverySeq);
	if (!r.step()) return std::nullopt;
	return r.text(0);
}

std::vector<Delivery> SQLiteStore::deliveries(const std::string& accountId, const std::string& endpointId,
	std::optional<DeliveryStatus> status, Int64 beforeSeq, std::size_t limit)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	const Int64 before = beforeSeq > 0 ? beforeSeq : std::numeric_limits<Int64>::max();
	if (status)
	{
		return selectDeliveries(Poco::format("WHERE account_id = ? AND endpoint_id = ? AND status = %d AND seq < ? ORDER BY seq DESC LIMIT ?",
			StoreColumns::statusCode(*status)), accountId, endpointId, before, limit);
	}
	return selectDeliveries("WHERE account_id = ? AND endpoint_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
		accountId, endpointId, before, limit);
}

EndpointStats SQLiteStore::stats(const std::string& endpointId, Millis since)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	auto& s = session();
	// Maintained counters per hour (triggers): the answer does not grow with the log; only
	// the part of the first hour before `since` is counted from the log itself.
	const Int64 hour = since / 3600000;
	std::vector<Poco::Tuple<int, Int64>> rows;
	s << "SELECT status, SUM(n) FROM delivery_counts WHERE endpoint_id = ? AND hour >= ? GROUP BY status",
		bind(endpointId), bind(hour), into(rows), now;
	std::vector<Poco::Tuple<int, Int64>> early;
	if (since % 3600000 != 0)
	{
		s << "SELECT status, COUNT(*) FROM deliveries WHERE endpoint_id = ? AND created_at >= ? AND created_at < ? GROUP BY status",
			bind(endpointId), bind(hour * 3600000), bind(since), into(early), now;
	}
	EndpointStats stats;
	auto add = [&](int status, Int64 n) {
		switch (StoreColumns::statusOf(status))
		{
		case DeliveryStatus::Pending: stats.pending += n; break;
		case DeliveryStatus::Succeeded: stats.succeeded += n; break;
		case DeliveryStatus::Failed: stats.failed += n; break;
		}
	};
	for (const auto& r : rows) add(r.get<0>(), r.get<1>());
	for (const auto& r : early) add(r.get<0>(), -r.get<1>());
	stats.total = stats.pending + stats.succeeded + stats.failed;
	return stats;
}

Store::ReplayResult SQLiteStore::replay(const std::string& accountId, const std::string& deliveryId, const std::string& newId,
	Millis now_, Delivery& replay)
{
	auto& s = writer();
	return write([&] {
		auto rows = selectDeliveries("WHERE account_id = ? AND id = ?", accountId, deliveryId, -1, 0);
		if (rows.empty()) return ReplayResult::NotFound;
		const Delivery original = rows.front();
		if (original.archived) return ReplayResult::Archived;
		std::vector<std::string> bodies;
		s << "SELECT body FROM payloads WHERE delivery_seq = ?", bind(original.seq), into(bodies), now;
		if (bodies.empty()) return ReplayResult::Archived;
		int endpoints = 0;
		s << "SELECT COUNT(*) FROM endpoints WHERE id = ? AND account_id = ? AND deleted_at = 0",
			bind(original.endpointId), bind(accountId), into(endpoints), now;
		if (endpoints == 0) return ReplayResult::EndpointGone;

		s << "INSERT INTO deliveries (id, account_id, endpoint_id, event_id, event_type, transport, created_at, status, "
			"next_attempt_at, replay_of) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
			bind(newId), bind(accountId), bind(original.endpointId), bind(original.eventId), bind(original.eventType),
			bind(original.transport), bind(now_), bind(now_), bind(original.id), now;
		Int64 seq = 0;
		s << "SELECT last_insert_rowid()", into(seq), now;
		s << "INSERT INTO payloads (delivery_seq, body) VALUES (?, ?)", bind(seq), bind(bodies.front()), now;
		s << "UPDATE deliveries SET replay_count = replay_count + 1 WHERE seq = ?", bind(original.seq), now;
		replay = selectDeliveries("WHERE account_id = ? AND id = ?", accountId, newId, -1, 0).front();
		return ReplayResult::Replayed;
	});
}

std::vector<std::string> SQLiteStore::failedBetween(const std::string& accountId, const std::string& endpointId,
	Millis since, Millis until)
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	std::vector<std::string> ids;
	session() << "SELECT id FROM deliveries WHERE account_id = ? AND endpoint_id = ? AND created_at >= ? AND created_at < ? "
		"AND status = 2 AND archived = 0 ORDER BY created_at, seq",
		bind(accountId), bind(endpointId), bind(since), bind(until), into(ids), now;
	return ids;
}

std::size_t SQLiteStore::archiveBefore(Millis cutoff, std::size_t batch)
{
	auto& s = writer();
	return write([&] {
		std::vector<Int64> seqs;
		s << "SELECT seq FROM deliveries WHERE archived = 0 AND created_at < ? AND status <> 0 ORDER BY created_at LIMIT ?",
			bind(cutoff), bind(static_cast<Int64>(batch)), into(seqs), now;
		for (Int64 seq : seqs)
		{
			s << "DELETE FROM payloads WHERE delivery_seq = ?", bind(seq), now;
			s << "DELETE FROM response_bodies WHERE attempt_seq IN (SELECT seq FROM attempts WHERE delivery_seq = ?)", bind(seq), now;
			s << "UPDATE deliveries SET archived = 1 WHERE seq = ?", bind(seq), now;
		}
		if (!seqs.empty())
			s << "UPDATE store_counters SET n = n + ? WHERE name = 'archived'", bind(static_cast<Int64>(seqs.size())), now;
		return seqs.size();
	});
}

void SQLiteStore::reclaimSpace()
{
	std::lock_guard<std::recursive_mutex> lock(_mutex);
	// Each step of this pragma frees one page; sqlite3_exec steps it to the end (Poco Data
	// and other statement interfaces step once).
	sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(writer());
	char* error = nullptr;
	if (sqlite3_exec(db, "PRAGMA incremental_vacuum", nullptr, nullptr, &error) != SQLITE_OK)
	{
		const std::string message = error ? error : "unknown error";
		sqlite3_free(error);
		throw Poco::Data::DataException("incremental vacuum failed: " + message);
	}
}

QueueSummary SQLiteStore::queueSummary()
{
	std::lock_guard<std::recursive_mutex> lock(readMutex());
	auto& s = session();
	QueueSummary q;
	s << "SELECT IFNULL(SUM(n), 0) FROM delivery_counts WHERE status = 0", into(q.pending), now;
	// The oldest: each endpoint's first pending delivery in the order they were stored, one seek
	// each (MIN(created_at) over all pending rows read every one of them, at every scrape).
	static const std::string oldest = PENDING_ENDPOINTS + "SELECT IFNULL(MIN((SELECT d.created_at FROM deliveries d INDEXED BY deliveries_endpoint_status "
		"WHERE d.endpoint_id = ep.id AND d.status = 0 ORDER BY d.status, d.seq LIMIT 1)), 0) FROM ep WHERE ep.id IS NOT NULL";
	auto r = cache().run(oldest.c_str());
	q.oldestPendingCreatedAt = r.step() ? r.int64(0) : 0;
	s << "SELECT n FROM store_counters WHERE name = 'archived'", into(q.archived), now;
	return q;
}

void SQLiteStore::probeWrite()
{
	auto& s = writer();
	write([&] { s << "UPDATE store_counters SET n = n WHERE name = 'archived'", now; });
}

} // namespace Hookgate

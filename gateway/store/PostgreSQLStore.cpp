#include "gateway/store/PostgreSQLStore.h"
#include "gateway/store/StoreColumns.h"

#include <Poco/Format.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/StringTokenizer.h>

#include <libpq-fe.h>

#include <algorithm>
#include <limits>
#include <random>
#include <sstream>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/select.h>
#endif

using Poco::Int64;

namespace Hookgate {

namespace {

using Param = PostgreSQLConnection::Param;
using Result = PostgreSQLConnection::Result;

/// Migration N brings the schema from version N-1 to N. Append, never edit a released one.
///
/// Columns that hold text from outside (names, URLs, bodies, error texts) are BYTEA: SQLite
/// keeps any bytes in a TEXT column, PostgreSQL's text refuses NUL and invalid UTF-8. Ids,
/// types and keys, which the API validates, are TEXT.
const char* const MIGRATIONS[] = {
	// 1: the gateway core
	R"SQL(
CREATE TABLE accounts (
	id TEXT PRIMARY KEY,
	name BYTEA NOT NULL,
	plan TEXT NOT NULL,
	webhooks_enabled BOOLEAN NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE endpoints (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	url BYTEA NOT NULL,
	email BYTEA NOT NULL,
	auth_key BYTEA NOT NULL,
	auth_value BYTEA NOT NULL,
	has_auth BOOLEAN NOT NULL,
	event_types BYTEA NOT NULL,
	hierarchy TEXT NOT NULL,
	description BYTEA NOT NULL,
	enabled BOOLEAN NOT NULL,
	secret BYTEA NOT NULL,
	previous_secret BYTEA NOT NULL DEFAULT '',
	previous_secret_until BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	deleted_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX endpoints_account ON endpoints (account_id);
CREATE TABLE events (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	type TEXT NOT NULL,
	idempotency_key TEXT,
	created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX events_idempotency ON events (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TABLE deliveries (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	transport TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	status SMALLINT NOT NULL,
	attempt_count INTEGER NOT NULL DEFAULT 0,
	last_attempt_at BIGINT NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL DEFAULT 0,
	response_code INTEGER NOT NULL DEFAULT 0,
	replay_of TEXT NOT NULL DEFAULT '',
	replay_count INTEGER NOT NULL DEFAULT 0,
	archived BOOLEAN NOT NULL DEFAULT false,
	last_error BYTEA NOT NULL DEFAULT '',
	claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, seq) WHERE status = 0;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, seq);
CREATE INDEX deliveries_endpoint_status ON deliveries (endpoint_id, status, seq);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at);
CREATE INDEX deliveries_retention ON deliveries (created_at) WHERE archived = false;
CREATE TABLE payloads (
	delivery_seq BIGINT PRIMARY KEY,
	body BYTEA NOT NULL
);
CREATE TABLE attempts (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	delivery_seq BIGINT NOT NULL,
	at BIGINT NOT NULL,
	response_code INTEGER NOT NULL,
	duration_ms BIGINT NOT NULL,
	error BYTEA NOT NULL
);
CREATE INDEX attempts_delivery ON attempts (delivery_seq);
CREATE TABLE response_bodies (
	attempt_seq BIGINT PRIMARY KEY,
	body BYTEA NOT NULL
);
CREATE TABLE tokens (
	hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX tokens_account ON tokens (account_id);

-- Statistics: deliveries per (endpoint, hour of creation, status). Every change appends a
-- delta row (concurrent inserts never wait for each other, unlike increments of one row);
-- folding moves the deltas into delivery_counts. A count is the sum over both tables.
CREATE TABLE delivery_counts (
	endpoint_id TEXT NOT NULL,
	hour BIGINT NOT NULL,
	status SMALLINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (endpoint_id, hour, status)
);
CREATE INDEX delivery_counts_pending ON delivery_counts (hour) WHERE status = 0;
CREATE TABLE delivery_count_deltas (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	endpoint_id TEXT NOT NULL,
	hour BIGINT NOT NULL,
	status SMALLINT NOT NULL,
	n INTEGER NOT NULL
);
CREATE INDEX delivery_count_deltas_endpoint ON delivery_count_deltas (endpoint_id, hour);
CREATE FUNCTION hookgate_count_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO delivery_count_deltas (endpoint_id, hour, status, n) VALUES (NEW.endpoint_id, NEW.created_at / 3600000, NEW.status, 1);
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO delivery_count_deltas (endpoint_id, hour, status, n) VALUES
			(OLD.endpoint_id, OLD.created_at / 3600000, OLD.status, -1), (NEW.endpoint_id, NEW.created_at / 3600000, NEW.status, 1);
	ELSE
		INSERT INTO delivery_count_deltas (endpoint_id, hour, status, n) VALUES (OLD.endpoint_id, OLD.created_at / 3600000, OLD.status, -1);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER delivery_counts_insert AFTER INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION hookgate_count_delivery();
CREATE TRIGGER delivery_counts_update AFTER UPDATE OF status ON deliveries FOR EACH ROW
	WHEN (OLD.status <> NEW.status) EXECUTE FUNCTION hookgate_count_delivery();
CREATE TRIGGER delivery_counts_delete AFTER DELETE ON deliveries FOR EACH ROW EXECUTE FUNCTION hookgate_count_delivery();

-- Store-wide counters ('archived'), with deltas for the same reason.
CREATE TABLE store_counters (
	name TEXT PRIMARY KEY,
	n BIGINT NOT NULL
);
INSERT INTO store_counters (name, n) VALUES ('archived', 0);
CREATE TABLE store_counter_deltas (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name TEXT NOT NULL,
	n BIGINT NOT NULL
);
)SQL",
	// 2: per-endpoint delivery limits; pending deliveries indexed by endpoint, for fair claims
	R"SQL(
ALTER TABLE endpoints ADD COLUMN max_in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER NOT NULL DEFAULT 0;
DROP INDEX deliveries_due;
CREATE INDEX deliveries_pending ON deliveries (endpoint_id, next_attempt_at, seq) WHERE status = 0;
)SQL",
};

const int SCHEMA_VERSION = sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0]);

/// pg_advisory_xact_lock(MIGRATION_LOCK) while migrating; pg_try_advisory_xact_lock(FOLD_LOCK) while folding.
const char* const LOCK_CLASS = "7274";  // "hg"

/// Whether every value may be compared with a text column. An id that is not (NUL, invalid
/// UTF-8, e.g. from a percent-encoded path) names nothing: SQLite would find nothing either.
bool allText(std::initializer_list<const std::string*> values)
{
	for (const auto* v : values)
		if (!PostgreSQLConnection::isText(*v)) return false;
	return true;
}

#define HOOKGATE_ENDPOINT_COLUMNS \
	"SELECT id, account_id, url, email, auth_key, auth_value, has_auth, event_types, hierarchy, description, " \
	"enabled, secret, previous_secret, previous_secret_until, created_at, max_in_flight, rate_limit FROM endpoints "

#define HOOKGATE_DELIVERY_COLUMNS \
	"SELECT seq, id, account_id, endpoint_id, event_id, event_type, transport, created_at, status, attempt_count, " \
	"last_attempt_at, next_attempt_at, response_code, replay_of, replay_count, archived, last_error FROM deliveries "

Endpoint endpointFrom(const Result& r, int row)
{
	Endpoint e;
	e.id = r.text(row, 0);
	e.accountId = r.text(row, 1);
	e.url = r.text(row, 2);
	e.email = r.text(row, 3);
	if (r.int64(row, 6)) e.authHeader = AuthHeader{r.text(row, 4), r.text(row, 5)};
	e.eventTypes = StoreColumns::splitTypes(r.text(row, 7));
	e.hierarchy = r.text(row, 8);
	e.description = r.text(row, 9);
	e.enabled = r.int64(row, 10) != 0;
	e.secret = r.text(row, 11);
	e.previousSecret = r.text(row, 12);
	e.previousSecretUntil = r.int64(row, 13);
	e.createdAt = r.int64(row, 14);
	e.maxInFlight = static_cast<int>(r.int64(row, 15));
	e.rateLimit = static_cast<int>(r.int64(row, 16));
	return e;
}

Delivery deliveryFrom(const Result& r, int row)
{
	Delivery d;
	d.seq = r.int64(row, 0);
	d.id = r.text(row, 1);
	d.accountId = r.text(row, 2);
	d.endpointId = r.text(row, 3);
	d.eventId = r.text(row, 4);
	d.eventType = r.text(row, 5);
	d.transport = r.text(row, 6);
	d.createdAt = r.int64(row, 7);
	d.status = StoreColumns::statusOf(r.int64(row, 8));
	d.attemptCount = static_cast<int>(r.int64(row, 9));
	d.lastAttemptAt = r.int64(row, 10);
	d.nextAttemptAt = r.int64(row, 11);
	d.responseCode = static_cast<int>(r.int64(row, 12));
	d.replayOf = r.text(row, 13);
	d.replayCount = static_cast<int>(r.int64(row, 14));
	d.archived = r.int64(row, 15) != 0;
	d.lastError = r.text(row, 16);
	return d;
}

bool isRetryable(const std::exception_ptr& error)
{
	try
	{
		std::rethrow_exception(error);
	}
	catch (const PostgreSQLRetryableException&)
	{
		return true;
	}
	catch (...)
	{
		return false;
	}
}

bool isUnavailable(const std::exception_ptr& error)
{
	try
	{
		std::rethrow_exception(error);
	}
	catch (const StoreUnavailableException&)
	{
		return true;
	}
	catch (...)
	{
		return false;
	}
}

Poco::Logger& logger()
{
	return Poco::Logger::get("hookgate.store");
}

} // namespace

// ---- lifecycle

PostgreSQLStore::PostgreSQLStore(const Options& options):
	_options(options),
	_lastFold(std::chrono::steady_clock::now())
{
	if (_options.readConnections == 0) _options.readConnections = 1;
	_writer = std::make_unique<Connection>(_options.connection);
	{
		auto r = _writer->run("SELECT current_setting('server_encoding')");
		const std::string encoding = r.text(0, 0);
		if (encoding != "UTF8" && encoding != "SQL_ASCII")
			throw Poco::Data::DataException("the PostgreSQL database uses the encoding " + encoding +
				"; hookgate needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')");
	}
	migrate(*_writer);
	_group = std::make_unique<GroupCommit>([this](const std::vector<GroupCommit::Job*>& batch) { runBatch(batch); }, logger());
}

PostgreSQLStore::~PostgreSQLStore()
{
	try { close(); } catch (...) {}
}

int PostgreSQLStore::schemaVersion()
{
	return SCHEMA_VERSION;
}

void PostgreSQLStore::migrate(Connection& c)
{
	c.exec("BEGIN");
	try
	{
		// Nodes that start together take turns: the first migrates, the others find it done.
		c.exec(std::string("SELECT pg_advisory_xact_lock(") + LOCK_CLASS + ", 0)");
		c.exec("CREATE TABLE IF NOT EXISTS hookgate_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
		const Int64 version = c.run("SELECT COALESCE(MAX(version), 0)::bigint FROM hookgate_schema").int64(0, 0);
		if (version > SCHEMA_VERSION)
			throw Poco::Data::DataException(Poco::format("database schema version %d is newer than this hookgate understands (%d)",
				static_cast<int>(version), SCHEMA_VERSION));
		for (int v = static_cast<int>(version) + 1; v <= SCHEMA_VERSION; ++v)
		{
			c.exec(MIGRATIONS[v - 1]);
			c.run("INSERT INTO hookgate_schema (version) VALUES ($1)", {v});
		}
		c.exec("COMMIT");
	}
	catch (...)
	{
		try { if (!c.isBroken()) c.exec("ROLLBACK"); } catch (...) {}
		throw;
	}
}

void PostgreSQLStore::close()
{
	listen(nullptr);
	if (_closed) return;
	// Commit what was queued without a waiter: a write returns once all before it are in.
	try
	{
		write([](Connection&) {});
	}
	catch (...)
	{
	}
	handBackClaims();
	if (_group) _group->stop();  // commits what came meanwhile and ends its flusher
	_closed = true;
	{
		// A leader may still be running a batch of jobs nobody waits for: let it finish.
		std::lock_guard<std::mutex> lock(_writerMutex);
		_writer.reset();
	}
	{
		std::lock_guard<std::mutex> lock(_poolMutex);
		_idle.clear();
		_open = 0;
	}
	_poolAvailable.notify_all();
}

PostgreSQLConnection& PostgreSQLStore::writer()
{
	if (_closed || !_writer) throw StoreUnavailableException("the store is closed");
	return *_writer;
}

// ---- connection pool

PostgreSQLStore::Lease::Lease(PostgreSQLStore& store): _store(store)
{
	{
		std::unique_lock<std::mutex> lock(store._poolMutex);
		while (true)
		{
			if (store._closed) throw StoreUnavailableException("the store is closed");
			if (!store._idle.empty())
			{
				_connection = std::move(store._idle.back());
				store._idle.pop_back();
				break;
			}
			if (store._open < store._options.readConnections)
			{
				++store._open;
				break;
			}
			store._poolAvailable.wait(lock);
		}
	}
	try
	{
		if (!_connection) _connection = std::make_unique<Connection>(store._options.connection);
		else _connection->ensureConnected();
	}
	catch (...)
	{
		{
			std::lock_guard<std::mutex> lock(store._poolMutex);
			if (_connection) store._idle.push_back(std::move(_connection));  // broken: reset on next use
			else if (store._open > 0) --store._open;
		}
		store._poolAvailable.notify_one();
		throw;
	}
}

PostgreSQLStore::Lease::~Lease()
{
	{
		std::lock_guard<std::mutex> lock(_store._poolMutex);
		if (_store._closed)
			_connection.reset();
		else
			_store._idle.push_back(std::move(_connection));
	}
	_store._poolAvailable.notify_one();
}

// ---- group commit

void PostgreSQLStore::submitWrite(GroupCommit::Job* job)
{
	if (_closed || !_group) throw StoreUnavailableException("the store is closed");
	{
		// Fold the statistics deltas now and then, as a job of the next batch.
		std::lock_guard<std::mutex> lock(_foldMutex);
		++_writesSinceFold;
		const auto now = std::chrono::steady_clock::now();
		if (!_foldQueued && (_writesSinceFold >= _options.foldEvery || now - _lastFold >= _options.foldInterval))
		{
			_foldQueued = true;
			auto* fold = new GroupCommit::Job;
			fold->detached = true;
			fold->run = [this] {
				{
					std::lock_guard<std::mutex> foldLock(_foldMutex);
					_foldQueued = false;
					_writesSinceFold = 0;
					_lastFold = std::chrono::steady_clock::now();
				}
				foldCountersIn(writer());
			};
			_group->add(fold);
		}
	}
	_group->submit(job);
}

void PostgreSQLStore::runBatch(const std::vector<GroupCommit::Job*>& batch)
{
	// Without a savepoint per job (two more round trips each): when a job fails, the
	// transaction is rolled back and run again without it. A deadlock or serialization
	// failure against another node runs them all again.
	std::lock_guard<std::mutex> lock(_writerMutex);
	std::vector<GroupCommit::Job*> jobs(batch);
	for (auto* j : jobs) j->error = nullptr;
	int conflicts = 0;
	bool reconnected = false;
	while (!jobs.empty())
	{
		Connection& c = writer();
		_batchNotifies = false;
		bool begun = false;
		std::size_t failed = jobs.size();
		std::exception_ptr failure;
		try
		{
			c.ensureConnected();
			c.exec("BEGIN");
			begun = true;
			for (std::size_t i = 0; i < jobs.size(); ++i)
			{
				try
				{
					jobs[i]->run();
				}
				catch (...)
				{
					failed = i;
					failure = std::current_exception();
					break;
				}
			}
			if (failed == jobs.size())
			{
				c.exec("COMMIT");
				if (_batchNotifies) notifyDue(c);
				return;
			}
			if (!c.isBroken()) c.exec("ROLLBACK");
		}
		catch (...)
		{
			// BEGIN, COMMIT or ROLLBACK failed: the connection or the transaction as a whole.
			const auto error = std::current_exception();
			try { if (!c.isBroken()) c.exec("ROLLBACK"); } catch (...) {}
			if (isRetryable(error) && ++conflicts <= 5) continue;
			// A connection found broken before anything was sent (the server restarted meanwhile): once more.
			if (!begun && !reconnected && isUnavailable(error))
			{
				reconnected = true;
				continue;
			}
			for (auto* j : jobs) j->error = error;
			return;
		}
		if (c.isBroken() || isUnavailable(failure))
		{
			for (auto* j : jobs) j->error = failure;
			return;
		}
		if (isRetryable(failure) && ++conflicts <= 5)
		{
			// Lost a deadlock to another node: its transaction goes on; give it a moment.
			static thread_local std::minstd_rand random(std::random_device{}());
			std::this_thread::sleep_for(std::chrono::milliseconds(1 + random() % (10 * static_cast<unsigned>(conflicts))));
			continue;
		}
		jobs[failed]->error = failure;
		jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(failed));
	}
}

void PostgreSQLStore::notifyDue(Connection& c)
{
	// After the commit, in a transaction of its own: a NOTIFY inside the transaction would
	// take PostgreSQL's global notification lock across the commit, one node's commit after the
	// other's. Lost if this node dies right now: the others' poll interval is the fallback.
	if (_options.notifyChannel.empty()) return;
	try
	{
		c.run("SELECT pg_notify($1, '')", {_options.notifyChannel});
	}
	catch (const Poco::Exception& e)
	{
		logger().warning("could not wake the other nodes: %s", e.displayText());
	}
}

// ---- accounts

Store::CreateResult PostgreSQLStore::createAccount(const Account& a)
{
	return write([&](Connection& c) {
		auto r = c.run("INSERT INTO accounts (id, name, plan, webhooks_enabled, created_at) VALUES ($1, $2, $3, $4, $5) "
			"ON CONFLICT (id) DO NOTHING",
			{a.id, a.name, a.plan, a.webhooksEnabled ? 1 : 0, a.createdAt});
		return r.affected() > 0 ? CreateResult::Created : CreateResult::AlreadyExists;
	});
}

std::optional<Account> PostgreSQLStore::account(const std::string& id)
{
	if (!allText({&id})) return std::nullopt;
	return read([&](Connection& c) -> std::optional<Account> {
		auto r = c.run("SELECT a.id, a.name, a.plan, a.webhooks_enabled, a.created_at, "
			"(SELECT COUNT(*) FROM endpoints e WHERE e.account_id = a.id AND e.deleted_at = 0) FROM accounts a WHERE a.id = $1",
			{id});
		if (r.rows() == 0) return std::nullopt;
		return Account{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.int64(0, 3) != 0, r.int64(0, 4), static_cast<int>(r.int64(0, 5))};
	});
}

std::vector<Account> PostgreSQLStore::accounts()
{
	return read([&](Connection& c) {
		auto r = c.run("SELECT a.id, a.name, a.plan, a.webhooks_enabled, a.created_at, "
			"(SELECT COUNT(*) FROM endpoints e WHERE e.account_id = a.id AND e.deleted_at = 0) FROM accounts a "
			"ORDER BY a.id COLLATE \"C\"");
		std::vector<Account> out;
		for (int i = 0; i < r.rows(); ++i)
			out.push_back(Account{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.int64(i, 3) != 0, r.int64(i, 4), static_cast<int>(r.int64(i, 5))});
		return out;
	});
}

bool PostgreSQLStore::updateAccount(const Account& a)
{
	if (!allText({&a.id})) return false;
	return write([&](Connection& c) {
		return c.run("UPDATE accounts SET name = $1, plan = $2, webhooks_enabled = $3 WHERE id = $4",
			{a.name, a.plan, a.webhooksEnabled ? 1 : 0, a.id}).affected() > 0;
	});
}

bool PostgreSQLStore::deleteAccount(const std::string& id, Millis)
{
	if (!allText({&id})) return false;
	return write([&](Connection& c) {
		if (c.run("DELETE FROM accounts WHERE id = $1", {id}).affected() == 0) return false;
		// The account's data is unreachable once the account is gone; remove it so that an
		// account created later with the same id never sees it.
		c.run("DELETE FROM response_bodies WHERE attempt_seq IN (SELECT a.seq FROM attempts a JOIN deliveries d ON d.seq = a.delivery_seq "
			"WHERE d.account_id = $1)", {id});
		c.run("DELETE FROM attempts WHERE delivery_seq IN (SELECT seq FROM deliveries WHERE account_id = $1)", {id});
		c.run("DELETE FROM payloads WHERE delivery_seq IN (SELECT seq FROM deliveries WHERE account_id = $1)", {id});
		c.run("DELETE FROM deliveries WHERE account_id = $1", {id});
		c.run("DELETE FROM events WHERE account_id = $1", {id});
		c.run("DELETE FROM endpoints WHERE account_id = $1", {id});
		c.run("DELETE FROM tokens WHERE account_id = $1", {id});
		return true;
	});
}

// ---- tokens

void PostgreSQLStore::addToken(const std::string& accountId, const std::string& tokenHash, Millis now)
{
	write([&](Connection& c) {
		c.run("INSERT INTO tokens (hash, account_id, created_at) VALUES ($1, $2, $3)", {tokenHash, accountId, now});
	});
}

std::optional<std::string> PostgreSQLStore::accountOfToken(const std::string& tokenHash)
{
	if (!allText({&tokenHash})) return std::nullopt;
	return read([&](Connection& c) -> std::optional<std::string> {
		auto r = c.run("SELECT account_id FROM tokens WHERE hash = $1", {tokenHash});
		if (r.rows() == 0) return std::nullopt;
		return r.text(0, 0);
	});
}

// ---- endpoints

Store::CreateResult PostgreSQLStore::createEndpoint(const Endpoint& e, int limit)
{
	return write([&](Connection& c) { return insertEndpoint(c, e, limit); });
}

Store::CreateResult PostgreSQLStore::insertEndpoint(Connection& c, const Endpoint& e, int limit)
{
	// The account row's lock makes count-and-insert atomic across nodes: a second node
	// creating an endpoint for the same account waits here, then counts the first one's.
	c.run("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", {e.accountId});
	auto counts = c.run("SELECT (SELECT COUNT(*) FROM endpoints WHERE id = $1), "
		"(SELECT COUNT(*) FROM endpoints WHERE account_id = $2 AND deleted_at = 0)", {e.id, e.accountId});
	if (counts.int64(0, 0) > 0) return CreateResult::AlreadyExists;
	if (counts.int64(0, 1) >= limit) return CreateResult::LimitReached;
	auto r = c.run("INSERT INTO endpoints (id, account_id, url, email, auth_key, auth_value, has_auth, event_types, hierarchy, "
		"description, enabled, secret, previous_secret, previous_secret_until, created_at, max_in_flight, rate_limit) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (id) DO NOTHING",
		{e.id, e.accountId, e.url, e.email, e.authHeader ? e.authHeader->key : std::string(),
			e.authHeader ? e.authHeader->value : std::string(), e.authHeader ? 1 : 0, StoreColumns::joinTypes(e.eventTypes), e.hierarchy,
			e.description, e.enabled ? 1 : 0, e.secret, e.previousSecret, e.previousSecretUntil, e.createdAt, e.maxInFlight, e.rateLimit});
	return r.affected() > 0 ? CreateResult::Created : CreateResult::AlreadyExists;
}

Store::CreateResult PostgreSQLStore::upsertEndpoint(const Endpoint& e, int limit)
{
	return write([&](Connection& c) {
		c.run("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", {e.accountId});
		auto existing = c.run("SELECT account_id, deleted_at FROM endpoints WHERE id = $1 FOR UPDATE", {e.id});
		if (existing.rows() == 0) return insertEndpoint(c, e, limit);
		if (existing.text(0, 0) != e.accountId) return CreateResult::AlreadyExists;
		if (existing.int64(0, 1) != 0)
		{
			const Int64 count = c.run("SELECT COUNT(*) FROM endpoints WHERE account_id = $1 AND deleted_at = 0", {e.accountId}).int64(0, 0);
			if (count >= limit) return CreateResult::LimitReached;
		}
		const std::string authKey = e.authHeader ? e.authHeader->key : std::string();
		const std::string authValue = e.authHeader ? e.authHeader->value : std::string();
		const std::string types = StoreColumns::joinTypes(e.eventTypes);
		c.run("UPDATE endpoints SET url = $1, email = $2, auth_key = $3, auth_value = $4, has_auth = $5, event_types = $6, "
			"hierarchy = $7, description = $8, enabled = $9, secret = $10, max_in_flight = $11, rate_limit = $12, deleted_at = 0 "
			"WHERE id = $13",
			{e.url, e.email, authKey, authValue, e.authHeader ? 1 : 0, types, e.hierarchy, e.description, e.enabled ? 1 : 0,
				e.secret, e.maxInFlight, e.rateLimit, e.id});
		return CreateResult::Created;
	});
}

std::optional<Endpoint> PostgreSQLStore::endpoint(const std::string& accountId, const std::string& id)
{
	if (!allText({&accountId, &id})) return std::nullopt;
	return read([&](Connection& c) -> std::optional<Endpoint> {
		auto r = c.run(HOOKGATE_ENDPOINT_COLUMNS "WHERE account_id = $1 AND id = $2 AND deleted_at = 0", {accountId, id});
		if (r.rows() == 0) return std::nullopt;
		return endpointFrom(r, 0);
	});
}

std::vector<Endpoint> PostgreSQLStore::endpoints(const std::string& accountId)
{
	if (!allText({&accountId})) return {};
	return read([&](Connection& c) {
		auto r = c.run(HOOKGATE_ENDPOINT_COLUMNS "WHERE account_id = $1 AND deleted_at = 0 ORDER BY created_at, id COLLATE \"C\"",
			{accountId});
		std::vector<Endpoint> out;
		for (int i = 0; i < r.rows(); ++i) out.push_back(endpointFrom(r, i));
		return out;
	});
}

bool PostgreSQLStore::updateEndpoint(const Endpoint& e)
{
	if (!allText({&e.accountId, &e.id})) return false;
	const std::string authKey = e.authHeader ? e.authHeader->key : std::string();
	const std::string authValue = e.authHeader ? e.authHeader->value : std::string();
	const std::string types = StoreColumns::joinTypes(e.eventTypes);
	return write([&](Connection& c) {
		return c.run("UPDATE endpoints SET url = $1, email = $2, auth_key = $3, auth_value = $4, has_auth = $5, event_types = $6, "
			"hierarchy = $7, description = $8, enabled = $9, secret = $10, previous_secret = $11, previous_secret_until = $12, "
			"max_in_flight = $13, rate_limit = $14 WHERE account_id = $15 AND id = $16 AND deleted_at = 0",
			{e.url, e.email, authKey, authValue, e.authHeader ? 1 : 0, types, e.hierarchy, e.description, e.enabled ? 1 : 0,
				e.secret, e.previousSecret, e.previousSecretUntil, e.maxInFlight, e.rateLimit, e.accountId, e.id}).affected() > 0;
	});
}

bool PostgreSQLStore::deleteEndpoint(const std::string& accountId, const std::string& id, Millis now)
{
	if (!allText({&accountId, &id})) return false;
	return write([&](Connection& c) {
		if (c.run("UPDATE endpoints SET deleted_at = $1 WHERE account_id = $2 AND id = $3 AND deleted_at = 0", {now, accountId, id})
				.affected() == 0)
			return false;
		c.run("UPDATE deliveries SET status = 2, next_attempt_at = 0, claimed_until = 0, last_error = 'endpoint deleted' "
			"WHERE status = 0 AND endpoint_id = $1", {id});
		return true;
	});
}

// ---- ingest

std::optional<IngestResult> PostgreSQLStore::eventByKeyIn(Connection& c, const std::string& accountId, const std::string& key)
{
	auto events = c.run("SELECT id, type FROM events WHERE account_id = $1 AND idempotency_key = $2", {accountId, key});
	if (events.rows() == 0) return std::nullopt;
	IngestResult result;
	result.eventId = events.text(0, 0);
	result.type = events.text(0, 1);
	result.duplicate = true;
	auto rows = c.run("SELECT id, endpoint_id FROM deliveries WHERE event_id = $1 AND replay_of = '' ORDER BY seq", {result.eventId});
	for (int i = 0; i < rows.rows(); ++i) result.deliveries.emplace_back(rows.text(i, 0), rows.text(i, 1));
	return result;
}

std::optional<IngestResult> PostgreSQLStore::eventByKey(const std::string& accountId, const std::string& key)
{
	if (!allText({&accountId, &key})) return std::nullopt;
	return read([&](Connection& c) { return eventByKeyIn(c, accountId, key); });
}

IngestResult PostgreSQLStore::insertEvent(const Event& event, const std::vector<NewDelivery>& deliveries)
{
	return write([&](Connection& c) {
		if (event.idempotencyKey.empty())
		{
			c.run("INSERT INTO events (id, account_id, type, idempotency_key, created_at) VALUES ($1, $2, $3, NULL, $4)",
				{event.id, event.accountId, event.type, event.createdAt});
		}
		else
		{
			// A key stored already (also by another node, whose transaction this one waits
			// for) inserts nothing: the first result is the answer.
			auto r = c.run("INSERT INTO events (id, account_id, type, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5) "
				"ON CONFLICT (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
				{event.id, event.accountId, event.type, event.idempotencyKey, event.createdAt});
			if (r.affected() == 0)
			{
				if (auto existing = eventByKeyIn(c, event.accountId, event.idempotencyKey)) return *existing;
				throw Poco::Data::DataException("idempotency key '" + event.idempotencyKey + "' conflicts but its event is not visible");
			}
		}

		IngestResult result;
		result.eventId = event.id;
		result.type = event.type;
		for (const auto& d : deliveries)
		{
			c.run("WITH d AS (INSERT INTO deliveries (id, account_id, endpoint_id, event_id, event_type, transport, created_at, status, "
				"next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7) RETURNING seq) "
				"INSERT INTO payloads (delivery_seq, body) SELECT seq, $8::bytea FROM d",
				{d.id, event.accountId, d.endpointId, event.id, event.type, d.transport, event.createdAt, d.payload});
			result.deliveries.emplace_back(d.id, d.endpointId);
		}
		if (!deliveries.empty()) _batchNotifies = true;
		return result;
	});
}

// ---- dispatcher

namespace {

/// `ep(id)`: the endpoints with pending deliveries, one index seek each in deliveries_pending (a
/// loose scan), whatever the number of deliveries.
const std::string PENDING_ENDPOINTS = "WITH RECURSIVE ep(id) AS ("
	"SELECT (SELECT endpoint_id FROM deliveries WHERE status = 0 ORDER BY endpoint_id LIMIT 1) "
	"UNION ALL SELECT (SELECT endpoint_id FROM deliveries WHERE status = 0 AND endpoint_id > ep.id ORDER BY endpoint_id LIMIT 1) "
	"FROM ep WHERE ep.id IS NOT NULL) ";

} // namespace

std::vector<PendingEndpoint> PostgreSQLStore::pendingEndpoints()
{
	return read([&](Connection& c) {
		// One index seek per endpoint with pending deliveries (a loose scan of deliveries_pending),
		// whatever their number: the endpoints, not the deliveries, are walked.
		// (Built once: prepared statements are keyed on the text's address.)
		static const std::string sql = PENDING_ENDPOINTS + "SELECT ep.id, COALESCE(e.account_id, ''), COALESCE(e.max_in_flight, 0), COALESCE(e.rate_limit, 0), "
			// (Held deliveries count: skipping them would read each one's row, at every look.)
			"COALESCE((SELECT d.next_attempt_at FROM deliveries d WHERE d.status = 0 AND d.endpoint_id = ep.id "
			"ORDER BY d.next_attempt_at LIMIT 1), 0) "
			"FROM ep LEFT JOIN endpoints e ON e.id = ep.id "
			// A disabled endpoint's deliveries are held until it is enabled again.
			"WHERE ep.id IS NOT NULL AND NOT COALESCE(e.enabled = false AND e.deleted_at = 0, false)";
		auto r = c.run(sql.c_str());
		std::vector<PendingEndpoint> out;
		out.reserve(static_cast<std::size_t>(r.rows()));
		for (int i = 0; i < r.rows(); ++i)
			out.push_back(PendingEndpoint{r.text(i, 0), r.text(i, 1), static_cast<int>(r.int64(i, 2)), static_cast<int>(r.int64(i, 3)),
				r.int64(i, 4)});
		return out;
	});
}

std::vector<ClaimedDelivery> PostgreSQLStore::claimDue(Millis now, Millis leaseUntil, const std::vector<EndpointClaim>& claims)
{
	// The claims travel as one JSON parameter: [{"e": endpoint, "n": max}, ...].
	Poco::JSON::Array wanted;
	for (const auto& claim : claims)
	{
		if (claim.max == 0 || !allText({&claim.endpointId})) continue;
		Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
		item->set("e", claim.endpointId);
		item->set("n", static_cast<Int64>(claim.max));
		wanted.add(item);
	}
	if (wanted.size() == 0) return {};
	std::ostringstream json;
	wanted.stringify(json);
	auto claimed = write([&](Connection& c) {
		// Rows another node is claiming right now are skipped, not waited for; rows it claimed
		// are skipped until their lease ends.
		// The endpoint check stays outside the lateral scan: inside it, the planner turns it into
		// an anti join over the whole table (a sequential scan and a sort, 100 times slower).
		auto r = c.run("WITH due AS (SELECT x.seq FROM json_to_recordset($3::json) AS w(e text, n int) CROSS JOIN LATERAL ("
			"SELECT d.seq FROM deliveries d WHERE d.status = 0 AND d.endpoint_id = w.e AND d.next_attempt_at <= $1 AND d.claimed_until <= $1 "
			"ORDER BY d.next_attempt_at, d.seq LIMIT w.n FOR UPDATE OF d SKIP LOCKED) x "
			// A disabled endpoint's deliveries are held until it is enabled again.
			"WHERE NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = w.e AND e.enabled = false AND e.deleted_at = 0)) "
			"UPDATE deliveries d SET claimed_until = $2 FROM due WHERE d.seq = due.seq "
			"RETURNING d.seq, d.id, d.account_id, d.endpoint_id, d.event_id, d.event_type, d.created_at, d.attempt_count, "
			"(SELECT p.body FROM payloads p WHERE p.delivery_seq = d.seq), d.next_attempt_at",
			{now, leaseUntil, json.str()});
		std::vector<std::pair<Int64, ClaimedDelivery>> rows;
		rows.reserve(static_cast<std::size_t>(r.rows()));
		for (int i = 0; i < r.rows(); ++i)
		{
			rows.emplace_back(r.int64(i, 9), ClaimedDelivery{r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
				r.text(i, 5), r.int64(i, 6), static_cast<int>(r.int64(i, 7)), r.text(i, 8)});
		}
		std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
			return a.first != b.first ? a.first < b.first : a.second.seq < b.second.seq;
		});
		std::vector<ClaimedDelivery> out;
		out.reserve(rows.size());
		for (auto& row : rows) out.push_back(std::move(row.second));
		return out;
	});
	{
		// Remembered until attempted, so that close() can hand back the rest.
		std::lock_guard<std::mutex> lock(_heldMutex);
		for (const auto& d : claimed) _held[d.seq] = leaseUntil;
	}
	return claimed;
}

void PostgreSQLStore::recordAttemptIn(Connection& c, Int64 seq, const Attempt& a, DeliveryStatus status, Millis nextAttemptAt)
{
	// One round trip: the attempt, its response body, and the delivery's new state. A
	// delivery that was cancelled meanwhile (endpoint deleted) stays failed.
	const Millis next = status == DeliveryStatus::Pending ? nextAttemptAt : Millis(0);
	if (a.responseBody)
	{
		c.run("WITH a AS (INSERT INTO attempts (delivery_seq, at, response_code, duration_ms, error) VALUES ($1, $2, $3, $4, $5) RETURNING seq), "
			"b AS (INSERT INTO response_bodies (attempt_seq, body) SELECT seq, $8::bytea FROM a) "
			"UPDATE deliveries SET status = CASE WHEN status = 0 THEN $6::smallint ELSE status END, attempt_count = attempt_count + 1, "
			"last_attempt_at = $2, next_attempt_at = CASE WHEN status = 0 THEN $7::bigint ELSE 0 END, response_code = $3, "
			"last_error = CASE WHEN status = 0 THEN $5::bytea ELSE last_error END, claimed_until = 0 WHERE seq = $1",
			{seq, a.at, a.responseCode, a.durationMs, a.error, StoreColumns::statusCode(status), next, *a.responseBody});
	}
	else
	{
		c.run("WITH a AS (INSERT INTO attempts (delivery_seq, at, response_code, duration_ms, error) VALUES ($1, $2, $3, $4, $5)) "
			"UPDATE deliveries SET status = CASE WHEN status = 0 THEN $6::smallint ELSE status END, attempt_count = attempt_count + 1, "
			"last_attempt_at = $2, next_attempt_at = CASE WHEN status = 0 THEN $7::bigint ELSE 0 END, response_code = $3, "
			"last_error = CASE WHEN status = 0 THEN $5::bytea ELSE last_error END, claimed_until = 0 WHERE seq = $1",
			{seq, a.at, a.responseCode, a.durationMs, a.error, StoreColumns::statusCode(status), next});
	}
}

void PostgreSQLStore::recordAttempt(Int64 seq, const Attempt& a, DeliveryStatus status, Millis nextAttemptAt, bool waitForCommit)
{
	forgetClaim(seq);
	if (!waitForCommit)
	{
		// Nobody waits: the job owns copies of what it writes.
		auto* job = new GroupCommit::Job;
		job->detached = true;
		job->run = [this, seq, a, status, nextAttemptAt] { recordAttemptIn(writer(), seq, a, status, nextAttemptAt); };
		try
		{
			submitWrite(job);
		}
		catch (...)
		{
			delete job;
			throw;
		}
		return;
	}
	write([&](Connection& c) { recordAttemptIn(c, seq, a, status, nextAttemptAt); });
}

void PostgreSQLStore::cancel(Int64 seq, const std::string& reason)
{
	forgetClaim(seq);
	write([&](Connection& c) {
		c.run("UPDATE deliveries SET status = 2, next_attempt_at = 0, claimed_until = 0, last_error = $1 WHERE seq = $2 AND status = 0",
			{reason, seq});
	});
}

void PostgreSQLStore::releaseClaims()
{
}

void PostgreSQLStore::handBackClaims()
{
	std::vector<std::pair<Int64, Millis>> held;
	{
		std::lock_guard<std::mutex> lock(_heldMutex);
		held.assign(_held.begin(), _held.end());
		_held.clear();
	}
	if (held.empty()) return;
	try
	{
		// Only where the claim is still this store's (same lease end) and nothing was recorded;
		// the other nodes are woken to take them.
		const Int64 released = write([&](Connection& c) {
			Int64 n = 0;
			for (const auto& h : held)
				n += c.run("UPDATE deliveries SET claimed_until = 0 WHERE seq = $1 AND claimed_until = $2 AND status = 0",
					{h.first, h.second}).affected();
			if (n > 0) _batchNotifies = true;
			return n;
		});
		logger().information("handed back %?d claimed deliveries that were not attempted", released);
	}
	catch (const Poco::Exception& e)
	{
		logger().warning("could not hand back %z claimed deliveries (they are taken again when their lease ends): %s", held.size(),
			e.displayText());
	}
}

void PostgreSQLStore::forgetClaim(Int64 seq)
{
	std::lock_guard<std::mutex> lock(_heldMutex);
	_held.erase(seq);
}

// ---- log

std::vector<Delivery> PostgreSQLStore::selectDeliveries(Connection& c, const char* sql, std::initializer_list<Param> params)
{
	auto r = c.run(sql, params);
	std::vector<Delivery> out;
	out.reserve(static_cast<std::size_t>(r.rows()));
	for (int i = 0; i < r.rows(); ++i) out.push_back(deliveryFrom(r, i));
	return out;
}

std::optional<Delivery> PostgreSQLStore::delivery(const std::string& accountId, const std::string& id, bool withAttempts)
{
	if (!allText({&accountId, &id})) return std::nullopt;
	return read([&](Connection& c) -> std::optional<Delivery> {
		auto rows = selectDeliveries(c, HOOKGATE_DELIVERY_COLUMNS "WHERE account_id = $1 AND id = $2", {accountId, id});
		if (rows.empty()) return std::nullopt;
		Delivery d = rows.front();
		if (withAttempts)
		{
			auto r = c.run("SELECT a.at, a.response_code, a.duration_ms, a.error, b.body, b.body IS NULL "
				"FROM attempts a LEFT JOIN response_bodies b ON b.attempt_seq = a.seq WHERE a.delivery_seq = $1 ORDER BY a.seq",
				{d.seq});
			for (int i = 0; i < r.rows(); ++i)
			{
				Attempt a;
				a.at = r.int64(i, 0);
				a.responseCode = static_cast<int>(r.int64(i, 1));
				a.durationMs = r.int64(i, 2);
				a.error = r.text(i, 3);
				if (!r.int64(i, 5)) a.responseBody = r.text(i, 4);
				d.attempts.push_back(std::move(a));
			}
		}
		return d;
	});
}

std::optional<std::string> PostgreSQLStore::payload(Int64 deliverySeq)
{
	return read([&](Connection& c) -> std::optional<std::string> {
		auto r = c.run("SELECT body FROM payloads WHERE delivery_seq = $1", {deliverySeq});
		if (r.rows() == 0) return std::nullopt;
		return r.text(0, 0);
	});
}

std::vector<Delivery> PostgreSQLStore::deliveries(const std::string& accountId, const std::string& endpointId,
	std::optional<DeliveryStatus> status, Int64 beforeSeq, std::size_t limit)
{
	if (!allText({&accountId, &endpointId})) return {};
	const Int64 before = beforeSeq > 0 ? beforeSeq : std::numeric_limits<Int64>::max();
	const Int64 n = static_cast<Int64>(std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<Int64>::max())));
	return read([&](Connection& c) {
		if (status)
		{
			return selectDeliveries(c, HOOKGATE_DELIVERY_COLUMNS
				"WHERE account_id = $1 AND endpoint_id = $2 AND status = $3 AND seq < $4 ORDER BY seq DESC LIMIT $5",
				{accountId, endpointId, StoreColumns::statusCode(*status), before, n});
		}
		return selectDeliveries(c, HOOKGATE_DELIVERY_COLUMNS
			"WHERE account_id = $1 AND endpoint_id = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4",
			{accountId, endpointId, before, n});
	});
}

EndpointStats PostgreSQLStore::stats(const std::string& endpointId, Millis since)
{
	EndpointStats stats;
	if (!allText({&endpointId})) return stats;
	// Maintained counters per hour (folded rows plus deltas not yet folded): the answer does
	// not grow with the log; only the part of the first hour before `since` is counted from
	// the log itself.
	const Int64 hour = since / 3600000;
	auto add = [&](Int64 status, Int64 n) {
		switch (StoreColumns::statusOf(status))
		{
		case DeliveryStatus::Pending: stats.pending += n; break;
		case DeliveryStatus::Succeeded: stats.succeeded += n; break;
		case DeliveryStatus::Failed: stats.failed += n; break;
		}
	};
	read([&](Connection& c) {
		stats = EndpointStats();
		auto r = c.run("SELECT status, SUM(n)::bigint FROM ("
			"SELECT status, n FROM delivery_counts WHERE endpoint_id = $1 AND hour >= $2 "
			"UNION ALL SELECT status, n FROM delivery_count_deltas WHERE endpoint_id = $1 AND hour >= $2) x GROUP BY status",
			{endpointId, hour});
		for (int i = 0; i < r.rows(); ++i) add(r.int64(i, 0), r.int64(i, 1));
		if (since % 3600000 != 0)
		{
			auto early = c.run("SELECT status, COUNT(*) FROM deliveries WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3 "
				"GROUP BY status", {endpointId, hour * 3600000, since});
			for (int i = 0; i < early.rows(); ++i) add(early.int64(i, 0), -early.int64(i, 1));
		}
	});
	stats.total = stats.pending + stats.succeeded + stats.failed;
	return stats;
}

Store::ReplayResult PostgreSQLStore::replay(const std::string& accountId, const std::string& deliveryId, const std::string& newId,
	Millis now, Delivery& replay)
{
	if (!allText({&accountId, &deliveryId})) return ReplayResult::NotFound;
	return write([&](Connection& c) {
		// The original's row lock: its replay count goes up once per replay, and the retention
		// sweep (SKIP LOCKED) leaves its payload alone meanwhile.
		auto rows = selectDeliveries(c, HOOKGATE_DELIVERY_COLUMNS "WHERE account_id = $1 AND id = $2 FOR UPDATE", {accountId, deliveryId});
		if (rows.empty()) return ReplayResult::NotFound;
		const Delivery original = rows.front();
		if (original.archived) return ReplayResult::Archived;
		if (c.run("SELECT 1 FROM payloads WHERE delivery_seq = $1", {original.seq}).rows() == 0) return ReplayResult::Archived;
		if (c.run("SELECT 1 FROM endpoints WHERE id = $1 AND account_id = $2 AND deleted_at = 0", {original.endpointId, accountId})
				.rows() == 0)
			return ReplayResult::EndpointGone;

		c.run("WITH d AS (INSERT INTO deliveries (id, account_id, endpoint_id, event_id, event_type, transport, created_at, status, "
			"next_attempt_at, replay_of) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7, $8) RETURNING seq) "
			"INSERT INTO payloads (delivery_seq, body) SELECT d.seq, p.body FROM d, payloads p WHERE p.delivery_seq = $9",
			{newId, accountId, original.endpointId, original.eventId, original.eventType, original.transport, now, original.id,
				original.seq});
		c.run("UPDATE deliveries SET replay_count = replay_count + 1 WHERE seq = $1", {original.seq});
		replay = selectDeliveries(c, HOOKGATE_DELIVERY_COLUMNS "WHERE account_id = $1 AND id = $2", {accountId, newId}).front();
		_batchNotifies = true;
		return ReplayResult::Replayed;
	});
}

std::vector<std::string> PostgreSQLStore::failedBetween(const std::string& accountId, const std::string& endpointId,
	Millis since, Millis until)
{
	if (!allText({&accountId, &endpointId})) return {};
	return read([&](Connection& c) {
		auto r = c.run("SELECT id FROM deliveries WHERE account_id = $1 AND endpoint_id = $2 AND created_at >= $3 AND created_at < $4 "
			"AND status = 2 AND archived = false ORDER BY created_at, seq",
			{accountId, endpointId, since, until});
		std::vector<std::string> ids;
		for (int i = 0; i < r.rows(); ++i) ids.push_back(r.text(i, 0));
		return ids;
	});
}

std::size_t PostgreSQLStore::archiveBefore(Millis cutoff, std::size_t batch)
{
	if (batch == 0) return 0;
	return write([&](Connection& c) {
		auto r = c.run("WITH batch AS (SELECT seq FROM deliveries WHERE archived = false AND created_at < $1 AND status <> 0 "
			"ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED), "
			"p AS (DELETE FROM payloads WHERE delivery_seq IN (SELECT seq FROM batch)), "
			"r AS (DELETE FROM response_bodies WHERE attempt_seq IN (SELECT a.seq FROM attempts a WHERE a.delivery_seq IN (SELECT seq FROM batch))), "
			"u AS (UPDATE deliveries SET archived = true WHERE seq IN (SELECT seq FROM batch) RETURNING 1), "
			"n AS (INSERT INTO store_counter_deltas (name, n) SELECT 'archived', COUNT(*) FROM u HAVING COUNT(*) > 0) "
			"SELECT COUNT(*) FROM u",
			{cutoff, static_cast<Int64>(batch)});
		return static_cast<std::size_t>(r.int64(0, 0));
	});
}

void PostgreSQLStore::reclaimSpace()
{
}

QueueSummary PostgreSQLStore::queueSummary()
{
	return read([&](Connection& c) {
		// (Built once: prepared statements are keyed on the text's address.)
		static const std::string sql = std::string("SELECT "
			"(SELECT COALESCE(SUM(n), 0)::bigint FROM delivery_counts WHERE status = 0) + "
			"(SELECT COALESCE(SUM(n), 0)::bigint FROM delivery_count_deltas WHERE status = 0), "
			// The oldest: each endpoint's first pending delivery in the order they were stored, one
			// seek each (MIN(created_at) over all pending rows read every one of them, at every scrape).
			"(") + PENDING_ENDPOINTS + "SELECT COALESCE(MIN((SELECT d.created_at FROM deliveries d "
			"WHERE d.endpoint_id = ep.id AND d.status = 0 ORDER BY d.seq LIMIT 1)), 0) FROM ep WHERE ep.id IS NOT NULL), "
			"(SELECT n FROM store_counters WHERE name = 'archived') + "
			"(SELECT COALESCE(SUM(n), 0)::bigint FROM store_counter_deltas WHERE name = 'archived')";
		auto r = c.run(sql.c_str());
		QueueSummary q;
		q.pending = r.int64(0, 0);
		q.oldestPendingCreatedAt = r.int64(0, 1);
		q.archived = r.int64(0, 2);
		return q;
	});
}

// ---- counters

void PostgreSQLStore::foldCounters()
{
	write([&](Connection& c) { foldCountersIn(c); });
}

void PostgreSQLStore::foldCountersIn(Connection& c)
{
	// One node folds at a time; the others skip (their deltas are folded by the next fold).
	if (!c.run("SELECT pg_try_advisory_xact_lock(7274, 1)").int64(0, 0)) return;
	c.run("WITH moved AS (DELETE FROM delivery_count_deltas WHERE id IN (SELECT id FROM delivery_count_deltas ORDER BY id LIMIT 20000) "
		"RETURNING endpoint_id, hour, status, n) "
		"INSERT INTO delivery_counts AS c (endpoint_id, hour, status, n) "
		"SELECT endpoint_id, hour, status, SUM(n) FROM moved GROUP BY endpoint_id, hour, status "
		"ON CONFLICT (endpoint_id, hour, status) DO UPDATE SET n = c.n + EXCLUDED.n");
	// Pending counts drop to 0 as deliveries finish; without those rows queueSummary() sums few.
	c.run("DELETE FROM delivery_counts WHERE status = 0 AND n = 0");
	c.run("WITH moved AS (DELETE FROM store_counter_deltas RETURNING name, n) "
		"UPDATE store_counters s SET n = s.n + m.n FROM (SELECT name, SUM(n)::bigint AS n FROM moved GROUP BY name) m WHERE s.name = m.name");
}

// ---- wake-ups across nodes

void PostgreSQLStore::listen(std::function<void()> onNotify)
{
	std::thread old;
	{
		std::lock_guard<std::mutex> lock(_listenMutex);
		_listenStop = true;
		old = std::move(_listener);
	}
	_listenStopped.notify_all();
	if (old.joinable()) old.join();
	if (!onNotify || _options.notifyChannel.empty()) return;
	std::lock_guard<std::mutex> lock(_listenMutex);
	if (_closed) return;
	_onNotify = std::move(onNotify);
	_listenStop = false;
	_listener = std::thread([this] { listenLoop(); });
}

void PostgreSQLStore::listenLoop()
{
	std::unique_ptr<Connection> conn;
	bool reported = false;
	auto stopping = [this] {
		std::lock_guard<std::mutex> lock(_listenMutex);
		return _listenStop;
	};
	auto call = [this] {
		std::function<void()> f;
		{
			std::lock_guard<std::mutex> lock(_listenMutex);
			f = _onNotify;
		}
		if (f) f();
	};
	while (!stopping())
	{
		try
		{
			if (!conn || conn->isBroken())
			{
				conn.reset();
				conn = std::make_unique<Connection>(_options.connection);
				char* channel = PQescapeIdentifier(conn->handle(), _options.notifyChannel.c_str(), _options.notifyChannel.size());
				if (!channel) throw Poco::Data::DataException("cannot quote the notification channel name");
				const std::string sql = std::string("LISTEN ") + channel;
				PQfreemem(channel);
				conn->exec(sql);
				if (reported) logger().information("listening for wake-ups on PostgreSQL again");
				reported = false;
				call();  // one may have been missed while not listening
			}
			const int fd = PQsocket(conn->handle());
			if (fd < 0) throw StoreUnavailableException("lost the connection that listens for wake-ups");
			fd_set set;
			FD_ZERO(&set);
			FD_SET(fd, &set);
			timeval timeout{0, 200000};  // how soon a stop is noticed
			::select(fd + 1, &set, nullptr, nullptr, &timeout);
			if (!PQconsumeInput(conn->handle()))
			{
				conn.reset();
				throw StoreUnavailableException(std::string("lost the connection that listens for wake-ups"));
			}
			bool any = false;
			while (PGnotify* n = PQnotifies(conn->handle()))
			{
				PQfreemem(n);
				any = true;
			}
			if (any) call();
		}
		catch (const Poco::Exception& e)
		{
			if (!reported) logger().warning("wake-ups from other nodes are delayed: %s", e.displayText());
			reported = true;
			conn.reset();
			std::unique_lock<std::mutex> lock(_listenMutex);
			_listenStopped.wait_for(lock, std::chrono::seconds(1), [this] { return _listenStop; });
		}
	}
}

void PostgreSQLStore::probeWrite()
{
	write([&](Connection& c) { c.run("UPDATE store_counters SET n = n WHERE name = 'archived'", {}); });
}

} // namespace Hookgate

#include "gateway/store/SQLiteStatementCache.h"

#include <Poco/Data/DataException.h>

#include <sqlite3.h>

namespace Hookgate {

namespace {

[[noreturn]] void fail(sqlite3* db, const char* what)
{
	throw Poco::Data::DataException(std::string(what) + ": " + sqlite3_errmsg(db));
}

} // namespace

SQLiteStatementCache::Run::Run(sqlite3_stmt* statement, sqlite3* db):
	_statement(statement),
	_db(db)
{
}

SQLiteStatementCache::Run::~Run()
{
	sqlite3_reset(_statement);
	sqlite3_clear_bindings(_statement);
}

SQLiteStatementCache::Run& SQLiteStatementCache::Run::bind(int index, Poco::Int64 value)
{
	if (sqlite3_bind_int64(_statement, index, value) != SQLITE_OK) fail(_db, "binding a number");
	return *this;
}

SQLiteStatementCache::Run& SQLiteStatementCache::Run::bind(int index, const std::string& value)
{
	if (sqlite3_bind_text(_statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
		fail(_db, "binding a text");
	return *this;
}

SQLiteStatementCache::Run& SQLiteStatementCache::Run::bindNull(int index)
{
	if (sqlite3_bind_null(_statement, index) != SQLITE_OK) fail(_db, "binding null");
	return *this;
}

bool SQLiteStatementCache::Run::step()
{
	const int rc = sqlite3_step(_statement);
	if (rc == SQLITE_ROW) return true;
	if (rc == SQLITE_DONE) return false;
	fail(_db, "executing a statement");
}

void SQLiteStatementCache::Run::execute()
{
	while (step())
	{
	}
}

Poco::Int64 SQLiteStatementCache::Run::int64(int column) const
{
	return sqlite3_column_int64(_statement, column);
}

std::string SQLiteStatementCache::Run::text(int column) const
{
	const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(_statement, column));
	const int size = sqlite3_column_bytes(_statement, column);
	return data ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool SQLiteStatementCache::Run::isNull(int column) const
{
	return sqlite3_column_type(_statement, column) == SQLITE_NULL;
}

SQLiteStatementCache::SQLiteStatementCache(sqlite3* db):
	_db(db)
{
}

SQLiteStatementCache::~SQLiteStatementCache()
{
	for (auto& [sql, statement] : _statements) sqlite3_finalize(statement);
}

SQLiteStatementCache::Run SQLiteStatementCache::run(const char* sql)
{
	auto it = _statements.find(sql);
	if (it == _statements.end())
	{
		sqlite3_stmt* statement = nullptr;
		if (sqlite3_prepare_v3(_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
			fail(_db, "preparing a statement");
		it = _statements.emplace(sql, statement).first;
	}
	return Run(it->second, _db);
}

} // namespace Hookgate

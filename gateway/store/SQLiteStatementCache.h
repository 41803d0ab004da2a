#pragma once

#include <Poco/Types.h>

#include <map>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace Hookgate {

/// Prepared statements of one SQLite connection, compiled once and reused.
///
/// Poco Data compiles every statement each time it runs; on the delivery and ingest hot
/// paths that was a quarter of the CPU. The hot statements run through this cache on the
/// handle of the same Poco Data session instead. Not thread-safe: use it under the lock of
/// its connection.
class SQLiteStatementCache
{
public:
	/// One execution of a cached statement: bind, step, read columns; reset when it goes.
	class Run
	{
	public:
		explicit Run(sqlite3_stmt* statement, sqlite3* db);
		~Run();
		Run(const Run&) = delete;
		Run& operator=(const Run&) = delete;

		Run& bind(int index, Poco::Int64 value);
		Run& bind(int index, const std::string& value);
		Run& bindNull(int index);
		/// Steps once: true while there is a row; throws Poco::Data::DataException on an error.
		bool step();
		/// Steps to the end (for statements without rows).
		void execute();
		Poco::Int64 int64(int column) const;
		std::string text(int column) const;
		bool isNull(int column) const;

	private:
		sqlite3_stmt* _statement;
		sqlite3* _db;
	};

	explicit SQLiteStatementCache(sqlite3* db);
	~SQLiteStatementCache();
	SQLiteStatementCache(const SQLiteStatementCache&) = delete;
	SQLiteStatementCache& operator=(const SQLiteStatementCache&) = delete;

	/// The statement for `sql` (compiled on first use; `sql` is the key, so use literals).
	Run run(const char* sql);

private:
	sqlite3* _db;
	std::map<const char*, sqlite3_stmt*> _statements;
};

} // namespace Hookgate

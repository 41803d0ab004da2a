#pragma once

#include <Poco/Data/DataException.h>
#include <Poco/Types.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace Hookgate {

/// A statement failed because of a deadlock or a serialization failure (SQLSTATE 40P01,
/// 40001): nothing of its transaction holds; running the transaction again may succeed.
POCO_DECLARE_EXCEPTION(, PostgreSQLRetryableException, Poco::Data::DataException)

/// One libpq connection with its prepared statements.
///
/// libpq directly, not Poco::Data::PostgreSQL (1.11): that connector leaks the whole PGconn
/// when a connection attempt fails (and again when it closes a broken connection), which a
/// store that reconnects after an outage cannot afford; it prepares, describes and
/// deallocates every statement on every execution (four round trips instead of one); it
/// splits connection strings on spaces; its exceptions carry the SQLSTATE only as text; and it
/// offers no access to LISTEN/NOTIFY.
///
/// Parameters go as text (numbers) or as raw bytes (strings: valid for text and bytea
/// columns alike); results come back in binary. Not thread-safe: one thread at a time.
class PostgreSQLConnection
{
public:
	/// One statement parameter; it refers to the string it was made of (no copy), so it must
	/// not outlive it.
	class Param
	{
	public:
		Param(const std::string& bytes): _bytes(bytes), _format(1) {}
		Param(const char* text): _bytes(text), _format(1) {}
		Param(Poco::Int64 n): _number(std::to_string(n)), _bytes(_number), _format(0) {}
		Param(int n): Param(static_cast<Poco::Int64>(n)) {}
		Param(const Param& other);
		Param& operator=(const Param&) = delete;
		static Param null();

		const char* data() const { return _null ? nullptr : _bytes.data(); }
		int size() const { return static_cast<int>(_bytes.size()); }
		int format() const { return _format; }

	private:
		Param(): _null(true) {}

		std::string _number;
		std::string_view _bytes;
		int _format = 0;
		bool _null = false;
	};

	/// The rows of one statement (freed when it goes).
	class Result
	{
	public:
		explicit Result(PGresult* result);
		~Result();
		Result(Result&& other) noexcept;
		Result(const Result&) = delete;
		Result& operator=(const Result&) = delete;
		Result& operator=(Result&&) = delete;

		int rows() const;
		/// Rows changed by an INSERT, UPDATE or DELETE.
		Poco::Int64 affected() const;
		bool isNull(int row, int column) const;
		/// A smallint, integer, bigint or boolean column (0 for NULL).
		Poco::Int64 int64(int row, int column) const;
		/// A text or bytea column, byte for byte ("" for NULL).
		std::string text(int row, int column) const;

	private:
		PGresult* _result;
	};

	/// Connects; `conninfo` is a libpq connection string (key=value or URI). Throws
	/// StoreUnavailableException when the server cannot be reached.
	explicit PostgreSQLConnection(const std::string& conninfo);
	~PostgreSQLConnection();
	PostgreSQLConnection(const PostgreSQLConnection&) = delete;
	PostgreSQLConnection& operator=(const PostgreSQLConnection&) = delete;

	/// Reconnects if the connection broke (prepared statements are made again on first use).
	/// Throws StoreUnavailableException when the server cannot be reached.
	void ensureConnected();
	bool isBroken() const;

	/// Runs a statement prepared once per connection (`sql` is the key: use literals).
	Result run(const char* sql, std::initializer_list<Param> params = {});
	/// Runs SQL without parameters through the simple protocol (several statements allowed).
	void exec(const std::string& sql);
	/// Runs one statement with parameters, not prepared (for rare statements built at run time).
	Result runOnce(const std::string& sql, std::initializer_list<Param> params = {});

	PGconn* handle() { return _conn; }

	/// Whether `bytes` may be stored in (or compared with) a text column: valid UTF-8 without NUL.
	static bool isText(const std::string& bytes);

private:
	Result check(PGresult* result, const char* sql);
	void connect();
	void configureSession();

	std::string _conninfo;
	PGconn* _conn = nullptr;
	std::unordered_map<const char*, std::string> _prepared;  ///< sql -> statement name
	int _nextName = 0;
};

} // namespace Hookgate

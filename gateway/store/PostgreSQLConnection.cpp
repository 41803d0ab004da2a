#include "gateway/store/PostgreSQLConnection.h"
#include "gateway/core/Store.h"

#include <Poco/ByteOrder.h>
#include <Poco/Logger.h>
#include <Poco/NumberParser.h>

#include <libpq-fe.h>

#include <cstring>
#include <typeinfo>

namespace Hookgate {

POCO_IMPLEMENT_EXCEPTION(PostgreSQLRetryableException, Poco::Data::DataException, "PostgreSQL transaction conflict")

namespace {

/// A statement's parameters as libpq's three parallel arrays (text or binary, with lengths).
struct ParamArrays
{
	explicit ParamArrays(std::initializer_list<PostgreSQLConnection::Param> params)
	{
		if (params.size() > MAX) throw Poco::Data::DataException("too many statement parameters");
		int i = 0;
		for (const auto& p : params)
		{
			values[i] = p.data();
			lengths[i] = p.size();
			formats[i] = p.format();
			++i;
		}
	}

	static const std::size_t MAX = 32;
	const char* values[MAX];
	int lengths[MAX];
	int formats[MAX];
};

// Type OIDs of the columns the store reads (pg_type.h is a server header).
const Oid BOOL_OID = 16;
const Oid BYTEA_OID = 17;
const Oid NAME_OID = 19;
const Oid INT8_OID = 20;
const Oid INT2_OID = 21;
const Oid INT4_OID = 23;
const Oid TEXT_OID = 25;
const Oid BPCHAR_OID = 1042;
const Oid VARCHAR_OID = 1043;

std::string firstLine(const char* text)
{
	std::string s = text ? text : "";
	while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
	return s;
}

std::string excerpt(const char* sql)
{
	std::string s(sql);
	for (auto& c : s)
		if (c == '\n' || c == '\t') c = ' ';
	if (s.size() > 100) s = s.substr(0, 100) + "...";
	return s;
}

/// Server notices ("relation ... already exists, skipping") go to the debug log, not to stderr.
void logNotice(void*, const char* message)
{
	Poco::Logger& logger = Poco::Logger::get("hookgate.store");
	if (logger.debug()) logger.debug("PostgreSQL: %s", firstLine(message));
}

/// SQLSTATE classes that mean the server cannot serve us now (connection, shutdown, resources).
bool isUnavailable(const std::string& state)
{
	return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03" ||
		state.rfind("53", 0) == 0 || state.rfind("58", 0) == 0;
}

} // namespace

PostgreSQLConnection::Param::Param(const Param& other):
	_number(other._number),
	_bytes(other._format == 0 && !other._null ? std::string_view(_number) : other._bytes),
	_format(other._format),
	_null(other._null)
{
}

PostgreSQLConnection::Param PostgreSQLConnection::Param::null()
{
	return Param();
}

// ---- Result

PostgreSQLConnection::Result::Result(PGresult* result): _result(result)
{
}

PostgreSQLConnection::Result::~Result()
{
	if (_result) PQclear(_result);
}

PostgreSQLConnection::Result::Result(Result&& other) noexcept: _result(other._result)
{
	other._result = nullptr;
}

int PostgreSQLConnection::Result::rows() const
{
	return PQntuples(_result);
}

Poco::Int64 PostgreSQLConnection::Result::affected() const
{
	const char* n = PQcmdTuples(_result);
	Poco::Int64 v = 0;
	if (n && *n) Poco::NumberParser::tryParse64(n, v);
	return v;
}

bool PostgreSQLConnection::Result::isNull(int row, int column) const
{
	return PQgetisnull(_result, row, column) != 0;
}

Poco::Int64 PostgreSQLConnection::Result::int64(int row, int column) const
{
	if (PQgetisnull(_result, row, column)) return 0;
	const char* p = PQgetvalue(_result, row, column);
	switch (PQftype(_result, column))
	{
	case INT8_OID:
	{
		Poco::Int64 v;
		std::memcpy(&v, p, 8);
		return Poco::ByteOrder::fromNetwork(v);
	}
	case INT4_OID:
	{
		Poco::Int32 v;
		std::memcpy(&v, p, 4);
		return Poco::ByteOrder::fromNetwork(v);
	}
	case INT2_OID:
	{
		Poco::Int16 v;
		std::memcpy(&v, p, 2);
		return Poco::ByteOrder::fromNetwork(v);
	}
	case BOOL_OID:
		return *p ? 1 : 0;
	default:
		throw Poco::Data::DataException("PostgreSQL column " + std::string(PQfname(_result, column)) +
			" is not an integer (type oid " + std::to_string(PQftype(_result, column)) + "); cast it to bigint");
	}
}

std::string PostgreSQLConnection::Result::text(int row, int column) const
{
	if (PQgetisnull(_result, row, column)) return std::string();
	switch (PQftype(_result, column))
	{
	case TEXT_OID:
	case BYTEA_OID:
	case VARCHAR_OID:
	case BPCHAR_OID:
	case NAME_OID:
		return std::string(PQgetvalue(_result, row, column), static_cast<std::size_t>(PQgetlength(_result, row, column)));
	default:
		throw Poco::Data::DataException("PostgreSQL column " + std::string(PQfname(_result, column)) +
			" is not text or bytea (type oid " + std::to_string(PQftype(_result, column)) + ")");
	}
}

// ---- connection

PostgreSQLConnection::PostgreSQLConnection(const std::string& conninfo): _conninfo(conninfo)
{
	connect();
}

PostgreSQLConnection::~PostgreSQLConnection()
{
	if (_conn) PQfinish(_conn);
}

void PostgreSQLConnection::connect()
{
	// Defaults first, then the administrator's string (it may override them), then what the
	// store relies on: UTF-8 on the wire.
	// TCP keepalives: a server that vanished is noticed in about a minute, not hours.
	const char* keywords[] = {"connect_timeout", "application_name", "keepalives_idle", "keepalives_interval", "keepalives_count",
		"dbname", "client_encoding", nullptr};
	const char* values[] = {"10", "hookgate", "30", "10", "3", _conninfo.c_str(), "UTF8", nullptr};
	if (_conn) PQfinish(_conn);
	_conn = PQconnectdbParams(keywords, values, 1);
	_prepared.clear();
	if (!_conn) throw StoreUnavailableException("cannot connect to PostgreSQL: out of memory");
	if (PQstatus(_conn) != CONNECTION_OK)
	{
		const std::string message = firstLine(PQerrorMessage(_conn));
		PQfinish(_conn);
		_conn = nullptr;
		throw StoreUnavailableException("cannot connect to PostgreSQL: " + message);
	}
	PQsetNoticeProcessor(_conn, logNotice, nullptr);
	try
	{
		configureSession();
	}
	catch (...)
	{
		PQfinish(_conn);  // a constructor that throws runs no destructor
		_conn = nullptr;
		throw;
	}
}

void PostgreSQLConnection::configureSession()
{
	// A node cut off in the middle of a transaction (network, not a crash: then the server
	// notices at once) must not hold its row locks for long; ours never idle in a transaction.
	exec("SET idle_in_transaction_session_timeout = '1min'");
}

bool PostgreSQLConnection::isBroken() const
{
	return !_conn || PQstatus(_conn) != CONNECTION_OK;
}

void PostgreSQLConnection::ensureConnected()
{
	if (!isBroken()) return;
	_prepared.clear();
	if (_conn)
	{
		PQreset(_conn);
		if (PQstatus(_conn) == CONNECTION_OK)
		{
			configureSession();
			return;
		}
		throw StoreUnavailableException("cannot reconnect to PostgreSQL: " + firstLine(PQerrorMessage(_conn)));
	}
	connect();
}

PostgreSQLConnection::Result PostgreSQLConnection::check(PGresult* result, const char* sql)
{
	Result r(result);
	const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
	const std::string message = firstLine(result ? PQresultErrorMessage(result) : PQerrorMessage(_conn));
	const char* stateField = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
	const std::string state = stateField ? stateField : "";
	if (PQstatus(_conn) != CONNECTION_OK || isUnavailable(state))
		throw StoreUnavailableException("PostgreSQL is unavailable: " + message);
	if (state == "40P01" || state == "40001")
		throw PostgreSQLRetryableException(message + " (SQLSTATE " + state + ")");
	throw Poco::Data::DataException("PostgreSQL: " + message + " (SQLSTATE " + state + ") in: " + excerpt(sql));
}

PostgreSQLConnection::Result PostgreSQLConnection::run(const char* sql, std::initializer_list<Param> params)
{
	const int n = static_cast<int>(params.size());
	auto it = _prepared.find(sql);
	if (it == _prepared.end())
	{
		std::string name = "hg" + std::to_string(++_nextName);
		check(PQprepare(_conn, name.c_str(), sql, n, nullptr), sql);
		it = _prepared.emplace(sql, std::move(name)).first;
	}
	const ParamArrays p(params);
	return check(PQexecPrepared(_conn, it->second.c_str(), n, p.values, p.lengths, p.formats, 1), sql);
}

PostgreSQLConnection::Result PostgreSQLConnection::runOnce(const std::string& sql, std::initializer_list<Param> params)
{
	const int n = static_cast<int>(params.size());
	const ParamArrays p(params);
	return check(PQexecParams(_conn, sql.c_str(), n, nullptr, p.values, p.lengths, p.formats, 1), sql.c_str());
}

void PostgreSQLConnection::exec(const std::string& sql)
{
	check(PQexec(_conn, sql.c_str()), sql.c_str());
}

bool PostgreSQLConnection::isText(const std::string& bytes)
{
	const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
	const std::size_t n = bytes.size();
	std::size_t i = 0;
	while (i < n)
	{
		const unsigned char c = s[i];
		if (c == 0) return false;
		if (c < 0x80)
		{
			++i;
			continue;
		}
		int length = 0;
		unsigned int code = 0;
		if ((c & 0xE0) == 0xC0) { length = 2; code = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { length = 3; code = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { length = 4; code = c & 0x07; }
		else return false;
		if (i + static_cast<std::size_t>(length) > n) return false;
		for (int k = 1; k < length; ++k)
		{
			if ((s[i + static_cast<std::size_t>(k)] & 0xC0) != 0x80) return false;
			code = (code << 6) | (s[i + static_cast<std::size_t>(k)] & 0x3F);
		}
		// Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
		if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) || (length == 4 && code < 0x10000) ||
			(code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
			return false;
		i += static_cast<std::size_t>(length);
	}
	return true;
}

} // namespace Hookgate

#include "TestDatabase.h"

#include "../fixtures/PostgreSQLFixture.h"
#include "../unit/PostgreSQLTestServer.h"

#include <Poco/Environment.h>
#include <Poco/Exception.h>

#include <libpq-fe.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace Hookgate {
namespace Test {

namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

Connection connect(const std::string& conninfo)
{
	Connection c(PQconnectdb(conninfo.c_str()), &PQfinish);
	if (PQstatus(c.get()) != CONNECTION_OK)
		throw Poco::RuntimeException("cannot connect to the test PostgreSQL server (" + conninfo + "): " + PQerrorMessage(c.get()));
	return c;
}

Result exec(PGconn* c, const std::string& sql)
{
	Result r(PQexec(c, sql.c_str()), &PQclear);
	const ExecStatusType status = PQresultStatus(r.get());
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		throw Poco::RuntimeException("PostgreSQL: " + sql + ": " + PQresultErrorMessage(r.get()));
	return r;
}

/// The admin connection of the run's shared server, else of this process's own server.
std::string adminConnection()
{
	if (auto shared = PostgreSQLFixture::sharedServer()) return *shared;
	static std::once_flag reported;
	std::call_once(reported, [] {
		std::cerr << "e2e: no PostgreSQL server shared by the ctest run (fixture e2e-pg); starting one for this process" << std::endl;
	});
	return PostgreSQLTestServer::shared().connection("postgres");
}

std::atomic<int> databases{0};

} // namespace

std::string TestDatabase::storeType()
{
	const std::string type = Poco::Environment::get("HOOKGATE_TEST_STORE", "sqlite");
	if (type != "sqlite" && type != "postgresql")
		throw Poco::InvalidArgumentException("HOOKGATE_TEST_STORE must be sqlite or postgresql, not '" + type + "'");
	return type;
}

bool TestDatabase::postgresqlSelected()
{
	return storeType() == "postgresql";
}

TestDatabase::TestDatabase():
	_name("hg_" + std::to_string(::getpid()) + "_" + std::to_string(++databases)),
	_adminConnection(adminConnection())
{
	Connection admin = connect(_adminConnection);
	exec(admin.get(), "CREATE DATABASE " + _name + " ENCODING 'UTF8' TEMPLATE template0");
	// The same server, another database: swap the dbname of the admin connection string.
	const std::string key = "dbname=postgres";
	_connection = _adminConnection;
	_connection.replace(_connection.rfind(key), key.size(), "dbname=" + _name);
}

TestDatabase::~TestDatabase()
{
	try
	{
		// WITH (FORCE): a gateway killed a moment ago may still have a backend closing.
		Connection admin = connect(_adminConnection);
		exec(admin.get(), "DROP DATABASE IF EXISTS " + _name + " WITH (FORCE)");
	}
	catch (...)
	{
	}
}

const std::string& TestDatabase::connection() const
{
	return _connection;
}

std::vector<std::vector<std::string>> TestDatabase::query(const std::string& sql) const
{
	Connection c = connect(_connection);
	Result r = exec(c.get(), sql);
	std::vector<std::vector<std::string>> rows;
	for (int i = 0; i < PQntuples(r.get()); ++i)
	{
		std::vector<std::string> row;
		for (int j = 0; j < PQnfields(r.get()); ++j)
			row.emplace_back(PQgetisnull(r.get(), i, j) ? std::string() : std::string(PQgetvalue(r.get(), i, j), PQgetlength(r.get(), i, j)));
		rows.push_back(std::move(row));
	}
	return rows;
}

} } // namespace Hookgate::Test

#pragma once

#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// A fresh, empty PostgreSQL database for one test, dropped when the object goes.
///
/// It lives on the server that the ctest run shares (started by the fixture test
/// e2e-pg-server-start, tests/fixtures/PostgreSQLFixtureMain.cpp) when this
/// process was started by that ctest run; otherwise (the test run by hand, or the fixture
/// left out) on a server of this process alone (PostgreSQLTestServer::shared(), about 1-2 s to
/// start, stopped at exit).
class TestDatabase
{
public:
	/// The store the e2e tests run against: HOOKGATE_TEST_STORE = sqlite (default) or postgresql.
	static std::string storeType();
	static bool postgresqlSelected();

	/// Creates the database; throws Poco::RuntimeException when no server can be had.
	TestDatabase();
	~TestDatabase();
	TestDatabase(const TestDatabase&) = delete;
	TestDatabase& operator=(const TestDatabase&) = delete;

	/// Its libpq connection string (the value of hookgate.store.postgresql.connection).
	const std::string& connection() const;
	/// Runs one statement on the database; the rows, each column as text ("" for NULL).
	/// Throws Poco::RuntimeException with the server's message when it fails.
	std::vector<std::vector<std::string>> query(const std::string& sql) const;

private:
	std::string _name;
	std::string _adminConnection;  ///< to the server's postgres database, for CREATE and DROP
	std::string _connection;
};

} } // namespace Hookgate::Test

#pragma once

#include <mutex>
#include <string>
#include <sys/types.h>
#include <vector>

namespace Hookgate {
namespace Test {

/// A PostgreSQL 15 server of the test's own: initdb in a temporary folder, a Unix socket in
/// that folder (no TCP), stopped and removed when the object goes. No system service.
///
/// As root, the server runs as the `postgres` user of the Debian package (`nobody` if there is
/// none): PostgreSQL refuses to run as root. fsync stays on. The server is told to stop (fast
/// shutdown) if the thread that started it dies, so a crashed test leaves no server behind:
/// start it from a thread that lives as long as it (the test's main thread).
class PostgreSQLTestServer
{
public:
	/// initdb and start (together 0.6 s on an idle 2-core machine, 2 s on a busy one); throws Poco::RuntimeException with the log if either fails.
	PostgreSQLTestServer();
	~PostgreSQLTestServer();
	PostgreSQLTestServer(const PostgreSQLTestServer&) = delete;
	PostgreSQLTestServer& operator=(const PostgreSQLTestServer&) = delete;

	/// The server of this test process, started on first use, stopped at exit. ctest runs each
	/// test case in a process of its own, so each such process has its own server.
	static PostgreSQLTestServer& shared();

	/// A new, empty database (hg_1, hg_2, ...); returns its libpq connection string.
	std::string createDatabase();
	/// The connection string of a database of this server.
	std::string connection(const std::string& database) const;

	/// Fast shutdown (clients are disconnected); waits until the server has exited.
	void stop();
	/// Starts the stopped server again on the same data; waits until it accepts connections.
	void start();
	bool running() const { return _pid > 0; }

	/// The folder of the data, the socket and the server's log (postgres.log).
	const std::string& directory() const { return _directory; }

private:
	void stop(int signal);
	std::string logTail() const;
	/// Runs `program` (as the server's user when we are root) with its output in the log; returns its pid.
	pid_t spawn(const std::string& program, const std::vector<std::string>& args, bool stopWithParent);

	std::string _directory;
	std::string _binDir;
	pid_t _pid = 0;
	uid_t _uid = 0;
	gid_t _gid = 0;
	bool _dropPrivileges = false;
	int _databases = 0;
	std::mutex _mutex;
};

} // namespace Test
} // namespace Hookgate

#include "PostgreSQLTestServer.h"

#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>

#include <libpq-fe.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace Hookgate {
namespace Test {

namespace {

const char* const PORT = "5432";  // only names the socket file: the folder is ours alone
const char* const DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin";

/// Waits for the child to exit, up to `deadline`; true if it did (its status in `status`).
bool waitForExit(pid_t pid, std::chrono::steady_clock::time_point deadline, int& status)
{
	while (true)
	{
		const pid_t r = ::waitpid(pid, &status, WNOHANG);
		if (r == pid) return true;
		if (r < 0 && errno != EINTR) return true;  // not our child any more
		if (std::chrono::steady_clock::now() >= deadline) return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
}

} // namespace

PostgreSQLTestServer::PostgreSQLTestServer()
{
	// initdb --no-sync: a crash of the machine loses the temporary cluster anyway. The server
	// itself runs with fsync on.
	_binDir = Poco::Environment::get("HOOKGATE_PG_BIN", DEFAULT_BIN_DIR);
	if (!Poco::File(_binDir + "/postgres").exists())
		throw Poco::FileNotFoundException("PostgreSQL server programs not found in " + _binDir +
			" (install the Debian package postgresql-15, or set HOOKGATE_PG_BIN)");

	// Under TMPDIR (test_guard gives each test one, and removes it even when the test is
	// killed) unless that is too long: a socket path has at most 107 bytes.
	std::string base = Poco::Environment::get("TMPDIR", "");
	if (base.empty() || base.size() > 60) base = "/tmp";
	std::string pattern = base + (base.back() == '/' ? "" : "/") + "hookgate-pg-XXXXXX";
	if (!::mkdtemp(pattern.data())) throw Poco::SystemException("mkdtemp " + pattern + ": " + std::strerror(errno));
	_directory = pattern;

	if (::geteuid() == 0)
	{
		const passwd* user = ::getpwnam("postgres");
		if (!user) user = ::getpwnam("nobody");
		if (!user) throw Poco::NotFoundException("running as root, but there is no user postgres or nobody to run PostgreSQL as");
		_uid = user->pw_uid;
		_gid = user->pw_gid;
		_dropPrivileges = true;
		if (::chown(_directory.c_str(), _uid, _gid) != 0)
			throw Poco::SystemException("chown " + _directory + ": " + std::strerror(errno));
	}

	int status = 0;
	const pid_t initdb = spawn(_binDir + "/initdb",
		{"-D", _directory + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"}, false);
	if (!waitForExit(initdb, std::chrono::steady_clock::now() + std::chrono::minutes(2), status) || !WIFEXITED(status) ||
		WEXITSTATUS(status) != 0)
	{
		::kill(initdb, SIGKILL);
		const std::string log = logTail();
		try { Poco::File(_directory).remove(true); } catch (...) {}
		throw Poco::RuntimeException("initdb failed: " + log);
	}
	try
	{
		start();
	}
	catch (...)
	{
		try { Poco::File(_directory).remove(true); } catch (...) {}
		throw;
	}
}

PostgreSQLTestServer::~PostgreSQLTestServer()
{
	try
	{
		// Its data goes with it: no shutdown checkpoint (immediate shutdown).
		stop(SIGQUIT);
	}
	catch (...)
	{
	}
	try { Poco::File(_directory).remove(true); } catch (...) {}
}

PostgreSQLTestServer& PostgreSQLTestServer::shared()
{
	static PostgreSQLTestServer server;
	return server;
}

pid_t PostgreSQLTestServer::spawn(const std::string& program, const std::vector<std::string>& args, bool stopWithParent)
{
	// Everything the child needs is made before fork: after it, only async-signal-safe calls.
	std::vector<std::string> argStrings;
	argStrings.push_back(program);
	argStrings.insert(argStrings.end(), args.begin(), args.end());
	std::vector<char*> argv;
	for (auto& a : argStrings) argv.push_back(a.data());
	argv.push_back(nullptr);
	const std::string logPath = _directory + "/postgres.log";
	const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0) throw Poco::SystemException("open " + logPath + ": " + std::strerror(errno));
	const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	const pid_t parent = ::getpid();
	const pid_t pid = ::fork();
	if (pid < 0)
	{
		::close(log);
		if (null >= 0) ::close(null);
		throw Poco::SystemException(std::string("fork: ") + std::strerror(errno));
	}
	if (pid == 0)
	{
		if (null >= 0) ::dup2(null, 0);
		::dup2(log, 1);
		::dup2(log, 2);
		if (_dropPrivileges)
		{
			if (::setgroups(0, nullptr) != 0 || ::setgid(_gid) != 0 || ::setuid(_uid) != 0) ::_exit(126);
		}
		if (stopWithParent)
		{
			// After setuid, which clears it. SIGINT: fast shutdown.
			::prctl(PR_SET_PDEATHSIG, SIGINT);
			if (::getppid() != parent) ::_exit(125);
		}
		::execv(argv[0], argv.data());
		::_exit(127);
	}
	::close(log);
	if (null >= 0) ::close(null);
	return pid;
}

void PostgreSQLTestServer::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_pid > 0) return;
	_pid = spawn(_binDir + "/postgres",
		{"-D", _directory + "/data", "-k", _directory, "-p", PORT, "-c", "listen_addresses=", "-c", "fsync=on",
			"-c", "shared_buffers=16MB", "-c", "max_connections=100", "-c", "max_parallel_workers_per_gather=0"},
		true);
	const std::string conninfo = connection("postgres");
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
	while (true)
	{
		if (PQping(conninfo.c_str()) == PQPING_OK) return;
		int status = 0;
		if (::waitpid(_pid, &status, WNOHANG) == _pid)
		{
			_pid = 0;
			throw Poco::RuntimeException("the PostgreSQL server exited at start: " + logTail());
		}
		if (std::chrono::steady_clock::now() >= deadline)
		{
			::kill(_pid, SIGKILL);
			waitForExit(_pid, std::chrono::steady_clock::now() + std::chrono::seconds(10), status);
			_pid = 0;
			throw Poco::TimeoutException("the PostgreSQL server did not accept connections within a minute: " + logTail());
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
}

void PostgreSQLTestServer::stop()
{
	stop(SIGINT);
}

void PostgreSQLTestServer::stop(int signal)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_pid <= 0) return;
	int status = 0;
	::kill(_pid, signal);
	if (!waitForExit(_pid, std::chrono::steady_clock::now() + std::chrono::seconds(60), status))
	{
		::kill(_pid, SIGKILL);
		waitForExit(_pid, std::chrono::steady_clock::now() + std::chrono::seconds(10), status);
	}
	_pid = 0;
}

std::string PostgreSQLTestServer::connection(const std::string& database) const
{
	return "host=" + _directory + " port=" + PORT + " user=postgres dbname=" + database;
}

std::string PostgreSQLTestServer::createDatabase()
{
	std::string name;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		name = "hg_" + std::to_string(++_databases);
	}
	PGconn* conn = PQconnectdb(connection("postgres").c_str());
	std::string error;
	if (PQstatus(conn) != CONNECTION_OK)
	{
		error = PQerrorMessage(conn);
	}
	else
	{
		PGresult* r = PQexec(conn, ("CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0").c_str());
		if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
		PQclear(r);
	}
	PQfinish(conn);
	if (!error.empty()) throw Poco::RuntimeException("cannot create the database " + name + ": " + error);
	return connection(name);
}

std::string PostgreSQLTestServer::logTail() const
{
	std::string text;
	try
	{
		Poco::FileInputStream in(_directory + "/postgres.log");
		std::string line;
		while (std::getline(in, line)) text += line + "\n";
	}
	catch (...)
	{
		return "(no log)";
	}
	if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
	return text;
}

} // namespace Test
} // namespace Hookgate

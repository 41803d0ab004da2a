#pragma once

#include "ProcessOutput.h"
#include "TestDatabase.h"

#include <Poco/Process.h>
#include <Poco/Timespan.h>
#include <Poco/Types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// The real hookgate binary (HOOKGATE_BINARY) in a fresh temporary directory
/// with its own properties file, database, pickup directory and log.
///
///     GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.retrySchedule", "100ms"}});
///     gateway.start();              // waits for the port file and GET /health 200
///     ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
///
/// The log (stdout and stderr of every run) is kept in memory and in
/// <directory>/hookgate.log; its tail is reported (Catch2 WARN) when the
/// gateway is destroyed during a test that has failed.
///
/// The store is the one HOOKGATE_TEST_STORE names (TestDatabase::storeType()):
/// SQLite in the directory, or a fresh PostgreSQL database of its own (dropped
/// with the object) unless the overrides name one
/// (hookgate.store.postgresql.connection, for several gateways on one database).
class GatewayProcess
{
public:
	using Properties = std::map<std::string, std::string>;

	struct RunResult
	{
		int exitCode = -1;      ///< exit status, 128 + signal when killed by a signal, -1 on timeout
		bool timedOut = false;
		std::string stdoutText;
		std::string stderrText;
	};

	static const std::string ADMIN_TOKEN;

	explicit GatewayProcess(const Properties& overrides = Properties());
		/// Creates the temporary directory; the properties are the defaults
		/// used by the tests, overridden by overrides. Does not start.

	~GatewayProcess();
		/// Kills a running gateway (SIGKILL) and removes the directory
		/// (kept when HOOKGATE_E2E_KEEP is set in the environment).

	GatewayProcess(const GatewayProcess&) = delete;
	GatewayProcess& operator=(const GatewayProcess&) = delete;

	void setProperty(const std::string& key, const std::string& value);
	void removeProperty(const std::string& key);
	const Properties& properties() const;

	void setEnvironment(const std::string& name, const std::string& value);
		/// An environment variable for the next start() or run(), added to
		/// the environment the tests run in (e.g. for ${env.NAME} values).
	void removeEnvironment(const std::string& name);

	void writeConfig() const;
		/// Writes the properties file (done by start() and run() too).

	void start(const Poco::Timespan& deadline = Poco::Timespan(30, 0));
		/// Deletes the port file, writes the properties file, launches
		/// `hookgate --config=<file>` and waits until the port file exists
		/// and GET /health answers 200. Throws (with the log) on failure.

	void restart(const Poco::Timespan& deadline = Poco::Timespan(30, 0));
		/// Stops a running gateway (SIGTERM) and starts it again on the same
		/// directory and database.

	void kill9();
		/// SIGKILL and reap.

	int terminate(const Poco::Timespan& deadline = Poco::Timespan(30, 0));
		/// SIGTERM, waits for the exit and returns the exit code
		/// (128 + signal when it died of a signal). Throws when the
		/// process is still running at the deadline (it is then killed).

	bool running();
		/// True while the launched process has not exited.

	RunResult run(const std::vector<std::string>& args, const Poco::Timespan& deadline = Poco::Timespan(30, 0));
		/// Runs the binary once with exactly these arguments (working
		/// directory: the temporary directory), after writing the properties
		/// file, and waits for it to exit.

	Poco::UInt16 port() const;
	Poco::ProcessHandle::PID pid() const;
	const std::string& directory() const;
	std::string path(const std::string& name) const;
		/// <directory>/<name>
	std::string configPath() const;
	std::string portFilePath() const;
	std::string databasePath() const;
		/// The SQLite file (unused when the store is PostgreSQL).

	std::string log() const;
		/// Everything the gateway wrote to stdout and stderr in all runs.
	std::string logTail(std::size_t maxBytes = 16384) const;

	static int healthStatus(Poco::UInt16 port);
		/// Status of GET /health on 127.0.0.1:port, 0 when no connection.
	static std::string readFile(const std::string& path);
		/// The whole file, empty when it cannot be read.
	static bool readPortFile(const std::string& path, Poco::UInt16& port);
		/// True when the file holds a complete "<port>\n" line.
	static int waitForExit(Poco::ProcessHandle::PID pid, const Poco::Timespan& deadline, bool& exited);
		/// waitpid() with a deadline; the process must be a child (or
		/// reparented to us as a sub-reaper).

private:
	void appendLog(const std::string& text);
	void collectOutput();

	std::string _directory;
	std::unique_ptr<TestDatabase> _database;  ///< its own PostgreSQL database, if it has one
	Properties _properties;
	Poco::Process::Env _environment;
	std::unique_ptr<ProcessOutput> _output;
	std::string _previousLog;
	Poco::ProcessHandle::PID _pid = 0;
	bool _running = false;
	Poco::UInt16 _port = 0;
	int _starts = 0;
};

} } // namespace Hookgate::Test

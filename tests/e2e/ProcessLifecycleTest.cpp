#include "DaemonProcess.h"
#include "GatewayProcess.h"
#include "TestDatabase.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>

#include <string>
#include <vector>

using namespace Hookgate::Test;

TEST_CASE("The help option exits 0 and lists the options", "[e2e]")
{
	GatewayProcess gateway;
	const GatewayProcess::RunResult result = gateway.run({"--help"});
	const std::string output = result.stdoutText + result.stderrText;
	INFO("output of hookgate --help:\n" << output);
	CHECK_FALSE(result.timedOut);
	CHECK(result.exitCode == 0);
	CHECK(output.find("--config") != std::string::npos);
	CHECK(output.find("--daemon") != std::string::npos);
	CHECK(output.find("--pidfile") != std::string::npos);
	CHECK(output.find("--help") != std::string::npos);
}

TEST_CASE("A configuration error exits non-zero and names the full key on stderr", "[e2e]")
{
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.workers", "lots"}});
	const GatewayProcess::RunResult result = gateway.run({"--config=" + gateway.configPath()});
	INFO("stdout:\n" << result.stdoutText << "\nstderr:\n" << result.stderrText);
	CHECK_FALSE(result.timedOut);
	CHECK(result.exitCode != 0);
	CHECK(result.stderrText.find("hookgate.delivery.workers") != std::string::npos);
	CHECK(result.stderrText.find("lots") != std::string::npos);
	CHECK_FALSE(Poco::File(gateway.portFilePath()).exists());
}

TEST_CASE("SIGTERM stops a foreground gateway with exit code 0", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	const Poco::UInt16 port = gateway.port();
	REQUIRE(GatewayProcess::healthStatus(port) == 200);
	CHECK(gateway.terminate() == 0);
	CHECK(GatewayProcess::healthStatus(port) == 0);
}

TEST_CASE("The daemon detaches, writes its pid file and stops on SIGTERM", "[e2e]")
{
	GatewayProcess gateway;
	DaemonProcess daemon(gateway);
	const GatewayProcess::RunResult launcher = daemon.start();
	INFO("launcher stdout:\n" << launcher.stdoutText << "\nlauncher stderr:\n" << launcher.stderrText);
	CHECK_FALSE(daemon.gone());
	CHECK(daemon.pid() != 0);

	bool exited = false;
	const int exitCode = daemon.terminate(Poco::Timespan(30, 0), exited);
	CHECK(exited);
	CHECK(exitCode == 0);
	CHECK(daemon.gone());
	CHECK(waitUntil([&] { return !Poco::File(daemon.pidFile()).exists(); }, Poco::Timespan(30, 0)));
	CHECK(GatewayProcess::healthStatus(daemon.port()) == 0);
}

TEST_CASE("A daemon whose start fails exits non-zero with the message on stderr, before or after it detaches", "[e2e]")
{
	struct Case
	{
		std::string what;
		GatewayProcess::Properties properties;
		std::string pidFile;  ///< relative to the gateway's folder; empty: none
		int exitCode;
		std::string message;
	};
	const std::vector<Case> cases{
		{"a misspelt key", {{"hookgate.delivery.timout", "5s"}}, "", 78, "unknown key hookgate.delivery.timout"},
		{"a pid file in a missing folder", {}, "missing/hookgate.pid", 73, "cannot write the pid file"},
		// After the fork: the daemon's own error reaches the launcher's stderr and exit code.
		{"a store that cannot be opened", {{"hookgate.store.sqlite.path", "/proc/no-such-folder/hookgate.db"}}, "", 73,
			"cannot open the store /proc/no-such-folder/hookgate.db"},
	};
	for (const auto& c : cases)
	{
		if (TestDatabase::postgresqlSelected() && c.what == "a store that cannot be opened") continue;  // a SQLite path
		INFO(c.what);
		GatewayProcess gateway(c.properties);
		std::vector<std::string> args{"--daemon", "--config=" + gateway.configPath()};
		if (!c.pidFile.empty()) args.push_back("--pidfile=" + gateway.path(c.pidFile));
		const GatewayProcess::RunResult result = gateway.run(args, Poco::Timespan(30, 0));
		INFO("stderr:\n" << result.stderrText);
		CHECK_FALSE(result.timedOut);
		CHECK(result.exitCode == c.exitCode);
		CHECK(result.stderrText.find(c.message) != std::string::npos);
		CHECK_FALSE(Poco::File(gateway.portFilePath()).exists());  // nothing serves
	}
}

TEST_CASE("A daemon's launcher returns only once the daemon answers, and exits 0", "[e2e]")
{
	GatewayProcess gateway;
	DaemonProcess daemon(gateway);
	const GatewayProcess::RunResult launcher = daemon.start();
	CHECK(daemon.answeredWhenLaunched());  // no wait after the launcher's exit
	CHECK(launcher.stderrText.find("listening on") != std::string::npos);  // the daemon's start, passed on
	bool exited = false;
	CHECK(daemon.terminate(Poco::Timespan(30, 0), exited) == 0);
	CHECK(exited);
}

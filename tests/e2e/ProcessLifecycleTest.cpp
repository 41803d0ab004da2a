#include "DaemonProcess.h"
#include "GatewayProcess.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>

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

#include "GatewayProcess.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

using namespace Hookgate::Test;

namespace {

std::string readFile(const std::string& path)
{
	std::ifstream file(path);
	std::ostringstream text;
	text << file.rdbuf();
	return text.str();
}

/// Gone: no such process, or a zombie nobody has reaped yet.
bool processGone(pid_t pid)
{
	if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
	const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
	const auto close = stat.rfind(')');
	return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

} // namespace

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
	// Become the sub-reaper so the detached daemon is re-parented to us and
	// its exit code can be collected with waitpid().
	const bool subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;

	GatewayProcess gateway;
	const std::string pidFile = gateway.path("hookgate.pid");
	const GatewayProcess::RunResult launcher = gateway.run(
		{"--daemon", "--pidfile=" + pidFile, "--config=" + gateway.configPath()}, Poco::Timespan(30, 0));
	INFO("launcher stdout:\n" << launcher.stdoutText << "\nlauncher stderr:\n" << launcher.stderrText);
	REQUIRE_FALSE(launcher.timedOut);
	CHECK(launcher.exitCode == 0);

	pid_t pid = 0;
	const bool pidWritten = waitUntil([&]
	{
		const std::string text = Poco::trim(readFile(pidFile));
		int value = 0;
		if (!Poco::NumberParser::tryParse(text, value) || value <= 0) return false;
		pid = value;
		return true;
	}, Poco::Timespan(30, 0));
	REQUIRE(pidWritten);

	struct Reaper
	{
		pid_t pid;
		bool done = false;
		~Reaper()
		{
			if (done) return;
			::kill(pid, SIGKILL);
			int status = 0;
			::waitpid(pid, &status, 0);
		}
	} reaper{pid};

	Poco::UInt16 port = 0;
	const bool healthy = waitUntil([&]
	{
		return GatewayProcess::readPortFile(gateway.portFilePath(), port) && GatewayProcess::healthStatus(port) == 200;
	}, Poco::Timespan(30, 0));
	REQUIRE(healthy);
	CHECK_FALSE(processGone(pid));

	REQUIRE(::kill(pid, SIGTERM) == 0);
	int exitCode = -1;
	bool exited = false;
	if (subreaper) exitCode = GatewayProcess::waitForExit(pid, Poco::Timespan(30, 0), exited);
	CHECK(waitUntil([&] { return processGone(pid); }, Poco::Timespan(30, 0)));
	CHECK(waitUntil([&] { return !Poco::File(pidFile).exists(); }, Poco::Timespan(30, 0)));
	CHECK(GatewayProcess::healthStatus(port) == 0);
	if (subreaper)
	{
		CHECK(exited);
		CHECK(exitCode == 0);
	}
	reaper.done = exited || processGone(pid);
	::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

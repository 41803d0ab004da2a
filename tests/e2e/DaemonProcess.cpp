#include "DaemonProcess.h"
#include "Wait.h"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <cerrno>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

namespace Hookgate {
namespace Test {

DaemonProcess::DaemonProcess(GatewayProcess& gateway):
	_gateway(gateway)
{
	if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		throw Poco::SystemException("prctl(PR_SET_CHILD_SUBREAPER): the daemon's exit could not be collected");
}

DaemonProcess::~DaemonProcess()
{
	if (_pid > 0 && !_reaped && !gone())
	{
		::kill(_pid, SIGKILL);
		int status = 0;
		while (::waitpid(_pid, &status, 0) < 0 && errno == EINTR)
		{
		}
	}
	::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

GatewayProcess::RunResult DaemonProcess::start(const Poco::Timespan& deadline)
{
	const GatewayProcess::RunResult launcher = _gateway.run(
		{"--daemon", "--pidfile=" + pidFile(), "--config=" + _gateway.configPath()}, deadline);
	const std::string output = "launcher stdout:\n" + launcher.stdoutText + "\nlauncher stderr:\n" + launcher.stderrText;
	if (launcher.timedOut || launcher.exitCode != 0)
		throw Poco::RuntimeException("hookgate --daemon exited with " + std::to_string(launcher.exitCode) + "; " + output);
	Poco::UInt16 port = 0;
	_answeredWhenLaunched = GatewayProcess::readPortFile(_gateway.portFilePath(), port) && GatewayProcess::healthStatus(port) == 200;

	const bool pidWritten = waitUntil([&]
	{
		int value = 0;
		if (!Poco::NumberParser::tryParse(Poco::trim(GatewayProcess::readFile(pidFile())), value) || value <= 0) return false;
		_pid = value;
		return true;
	}, deadline);
	if (!pidWritten) throw Poco::TimeoutException("the daemon wrote no pid to " + pidFile() + "; " + output);

	const bool healthy = waitUntil([&]
	{
		return GatewayProcess::readPortFile(_gateway.portFilePath(), _port) && GatewayProcess::healthStatus(_port) == 200;
	}, deadline);
	if (!healthy) throw Poco::TimeoutException("the daemon (pid " + std::to_string(_pid) + ") did not answer GET /health; " + output);
	return launcher;
}

int DaemonProcess::terminate(const Poco::Timespan& deadline, bool& exited)
{
	exited = false;
	if (_pid <= 0) throw Poco::IllegalStateException("the daemon was not started");
	if (::kill(_pid, SIGTERM) != 0) throw Poco::SystemException("kill(SIGTERM) of the daemon");
	const int code = GatewayProcess::waitForExit(_pid, deadline, exited);
	_reaped = exited;
	return code;
}

bool DaemonProcess::gone() const
{
	if (_pid <= 0) return true;
	if (::kill(_pid, 0) != 0 && errno == ESRCH) return true;
	const std::string stat = GatewayProcess::readFile("/proc/" + std::to_string(_pid) + "/stat");
	const auto close = stat.rfind(')');
	return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

bool DaemonProcess::answeredWhenLaunched() const
{
	return _answeredWhenLaunched;
}

pid_t DaemonProcess::pid() const
{
	return _pid;
}

Poco::UInt16 DaemonProcess::port() const
{
	return _port;
}

std::string DaemonProcess::pidFile() const
{
	return _gateway.path("hookgate.pid");
}

} } // namespace Hookgate::Test

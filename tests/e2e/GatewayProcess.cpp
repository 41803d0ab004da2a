#include "GatewayProcess.h"

#include "TestFailureListener.h"

#include <catch2/catch.hpp>

#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace Hookgate {
namespace Test {

const std::string GatewayProcess::ADMIN_TOKEN = "e2e-admin-token";

namespace {

std::string makeTemporaryDirectory()
{
	std::string pattern = Poco::Path::temp() + "hookgate-e2e-XXXXXX";
	std::vector<char> buffer(pattern.begin(), pattern.end());
	buffer.push_back('\0');
	if (!::mkdtemp(buffer.data()))
		throw Poco::SystemException("cannot create temporary directory", pattern);
	return std::string(buffer.data());
}

int decodeStatus(int status)
{
	if (WIFEXITED(status)) return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
	return -1;
}

} // namespace

GatewayProcess::GatewayProcess(const Properties& overrides):
	_directory(makeTemporaryDirectory())
{
	_properties = {
		{"hookgate.http.address", "127.0.0.1"},
		{"hookgate.http.port", "0"},
		{"hookgate.http.portFile", portFilePath()},
		{"hookgate.api.adminToken", ADMIN_TOKEN},
		{"hookgate.store.sqlite.path", databasePath()},
		{"hookgate.templates.dir", std::string(HOOKGATE_SOURCE_DIR) + "/templates"},
		{"hookgate.smtp.pickupDir", path("outbox")},
		{"hookgate.delivery.retrySchedule", "100ms, 100ms"},
		{"hookgate.delivery.jitter", "0"},
		{"hookgate.delivery.pollInterval", "100ms"},
		{"hookgate.delivery.timeout", "2s"},
		{"hookgate.security.allowPrivateDestinations", "true"},
	};
	if (TestDatabase::postgresqlSelected())
	{
		static const std::string connectionKey = "hookgate.store.postgresql.connection";
		_properties.erase("hookgate.store.sqlite.path");
		_properties["hookgate.store.type"] = "postgresql";
		if (!overrides.count(connectionKey))
		{
			try
			{
				_database.reset(new TestDatabase);
			}
			catch (...)
			{
				try { Poco::File(_directory).remove(true); } catch (...) {}
				throw;
			}
			_properties[connectionKey] = _database->connection();
		}
	}
	for (const auto& property: overrides) _properties[property.first] = property.second;
}

GatewayProcess::~GatewayProcess()
{
	try
	{
		if (_running) kill9();
		collectOutput();
		if (TestFailureListener::currentTestFailed())
		{
			// Reported with the failing test (WARN never throws, so it is safe while unwinding).
			WARN("hookgate log (" << _directory << "), last 16 KiB:\n" << logTail());
		}
		if (!Poco::Environment::has("HOOKGATE_E2E_KEEP"))
			Poco::File(_directory).remove(true);
	}
	catch (...)
	{
	}
}

void GatewayProcess::setProperty(const std::string& key, const std::string& value)
{
	_properties[key] = value;
}

void GatewayProcess::removeProperty(const std::string& key)
{
	_properties.erase(key);
}

const GatewayProcess::Properties& GatewayProcess::properties() const
{
	return _properties;
}

void GatewayProcess::setEnvironment(const std::string& name, const std::string& value)
{
	_environment[name] = value;
}

void GatewayProcess::removeEnvironment(const std::string& name)
{
	_environment.erase(name);
}

void GatewayProcess::writeConfig() const
{
	std::ofstream file(configPath(), std::ios::trunc);
	file << "# written by the e2e tests\n";
	for (const auto& property: _properties)
		file << property.first << " = " << property.second << "\n";
	if (!file) throw Poco::WriteFileException(configPath());
}

void GatewayProcess::start(const Poco::Timespan& deadline)
{
	if (_running) throw Poco::IllegalStateException("hookgate is already running");
	collectOutput();
	Poco::File portFile(portFilePath());
	if (portFile.exists()) portFile.remove();
	writeConfig();

	++_starts;
	appendLog("==== e2e: start #" + std::to_string(_starts) + " ====\n");
	_output.reset(new ProcessOutput(path("hookgate.log")));
	Poco::Process::Args args{"--config=" + configPath()};
	Poco::ProcessHandle handle = Poco::Process::launch(HOOKGATE_BINARY, args, _directory,
		nullptr, _output->stdoutPipe(), _output->stderrPipe(), _environment);
	_output->startDraining();
	_pid = handle.id();
	_running = true;
	_port = 0;

	const Poco::Timestamp started;
	bool healthy = false;
	int lastHealth = 0;
	while (!started.isElapsed(deadline.totalMicroseconds()))
	{
		if (!running())
		{
			collectOutput();
			throw Poco::RuntimeException("hookgate exited during start-up; log:\n" + logTail());
		}
		if (_port == 0) readPortFile(portFilePath(), _port);
		if (_port != 0)
		{
			lastHealth = healthStatus(_port);
			if (lastHealth == 200)
			{
				healthy = true;
				break;
			}
		}
		Poco::Thread::sleep(25);
	}
	if (!healthy)
	{
		const std::string state = _port == 0
			? "no port file at " + portFilePath()
			: "GET /health on port " + std::to_string(_port) + " answered " + std::to_string(lastHealth);
		kill9();
		throw Poco::TimeoutException("hookgate did not become healthy within "
			+ std::to_string(deadline.totalSeconds()) + " s (" + state + "); log:\n" + logTail());
	}
}

void GatewayProcess::restart(const Poco::Timespan& deadline)
{
	if (_running) terminate(deadline);
	start(deadline);
}

void GatewayProcess::kill9()
{
	if (!_running) return;
	::kill(_pid, SIGKILL);
	int status = 0;
	while (::waitpid(_pid, &status, 0) < 0 && errno == EINTR)
	{
	}
	_running = false;
	collectOutput();
	appendLog("==== e2e: killed with SIGKILL ====\n");
}

int GatewayProcess::terminate(const Poco::Timespan& deadline)
{
	if (!_running) throw Poco::IllegalStateException("hookgate is not running");
	::kill(_pid, SIGTERM);
	bool exited = false;
	const int code = waitForExit(_pid, deadline, exited);
	if (!exited)
	{
		kill9();
		throw Poco::TimeoutException("hookgate did not exit within "
			+ std::to_string(deadline.totalSeconds()) + " s after SIGTERM; log:\n" + logTail());
	}
	_running = false;
	collectOutput();
	appendLog("==== e2e: exited after SIGTERM with code " + std::to_string(code) + " ====\n");
	return code;
}

bool GatewayProcess::running()
{
	if (!_running) return false;
	int status = 0;
	const pid_t result = ::waitpid(_pid, &status, WNOHANG);
	if (result == _pid)
	{
		_running = false;
		collectOutput();
		appendLog("==== e2e: exited by itself with code " + std::to_string(decodeStatus(status)) + " ====\n");
		return false;
	}
	return true;
}

GatewayProcess::RunResult GatewayProcess::run(const std::vector<std::string>& args, const Poco::Timespan& deadline)
{
	writeConfig();
	RunResult result;
	ProcessOutput output;
	Poco::Process::Args processArgs(args.begin(), args.end());
	Poco::ProcessHandle handle = Poco::Process::launch(HOOKGATE_BINARY, processArgs, _directory,
		nullptr, output.stdoutPipe(), output.stderrPipe(), _environment);
	output.startDraining();
	bool exited = false;
	result.exitCode = waitForExit(handle.id(), deadline, exited);
	if (!exited)
	{
		::kill(handle.id(), SIGKILL);
		int status = 0;
		::waitpid(handle.id(), &status, 0);
		result.timedOut = true;
		result.exitCode = -1;
	}
	output.finish(Poco::Timespan(5, 0));
	result.stdoutText = output.stdoutText();
	result.stderrText = output.stderrText();
	std::string command = "==== e2e: run";
	for (const auto& arg: args) command += " " + arg;
	appendLog(command + " -> exit " + std::to_string(result.exitCode) + " ====\n" + output.text());
	return result;
}

Poco::UInt16 GatewayProcess::port() const
{
	return _port;
}

Poco::ProcessHandle::PID GatewayProcess::pid() const
{
	return _pid;
}

const std::string& GatewayProcess::directory() const
{
	return _directory;
}

std::string GatewayProcess::path(const std::string& name) const
{
	return _directory + "/" + name;
}

std::string GatewayProcess::configPath() const
{
	return path("hookgate.properties");
}

std::string GatewayProcess::portFilePath() const
{
	return path("port");
}

std::string GatewayProcess::databasePath() const
{
	return path("hookgate.db");
}

std::string GatewayProcess::log() const
{
	return _previousLog + (_output ? _output->text() : std::string());
}

std::string GatewayProcess::logTail(std::size_t maxBytes) const
{
	const std::string text = log();
	if (text.size() <= maxBytes) return text;
	return "[...]" + text.substr(text.size() - maxBytes);
}

int GatewayProcess::healthStatus(Poco::UInt16 port)
{
	try
	{
		Poco::Net::HTTPClientSession session("127.0.0.1", port);
		session.setTimeout(Poco::Timespan(2, 0));
		Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/health", Poco::Net::HTTPMessage::HTTP_1_1);
		session.sendRequest(request);
		Poco::Net::HTTPResponse response;
		std::istream& body = session.receiveResponse(response);
		Poco::NullOutputStream sink;
		Poco::StreamCopier::copyStream(body, sink);
		return static_cast<int>(response.getStatus());
	}
	catch (...)
	{
		return 0;
	}
}

std::string GatewayProcess::readFile(const std::string& path)
{
	std::ifstream file(path, std::ios::binary);
	std::ostringstream text;
	text << file.rdbuf();
	return text.str();
}

bool GatewayProcess::readPortFile(const std::string& path, Poco::UInt16& port)
{
	const std::string text = readFile(path);
	const auto newline = text.find('\n');
	if (newline == std::string::npos) return false;
	unsigned value = 0;
	if (!Poco::NumberParser::tryParseUnsigned(text.substr(0, newline), value) || value == 0 || value > 65535)
		return false;
	port = static_cast<Poco::UInt16>(value);
	return true;
}

int GatewayProcess::waitForExit(Poco::ProcessHandle::PID pid, const Poco::Timespan& deadline, bool& exited)
{
	exited = false;
	const Poco::Timestamp start;
	for (;;)
	{
		int status = 0;
		const pid_t result = ::waitpid(pid, &status, WNOHANG);
		if (result == pid)
		{
			exited = true;
			return decodeStatus(status);
		}
		if (result < 0 && errno != EINTR) return -1;
		if (start.isElapsed(deadline.totalMicroseconds())) return -1;
		Poco::Thread::sleep(10);
	}
}

void GatewayProcess::appendLog(const std::string& text)
{
	_previousLog += text;
	std::ofstream file(path("hookgate.log"), std::ios::app | std::ios::binary);
	file << text;
}

void GatewayProcess::collectOutput()
{
	if (!_output) return;
	_output->finish(Poco::Timespan(5, 0));
	_previousLog += _output->text();
	_output.reset();
}

} } // namespace Hookgate::Test

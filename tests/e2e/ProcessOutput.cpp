#include "ProcessOutput.h"

#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

#include <fstream>

#include <poll.h>

namespace Hookgate {
namespace Test {

ProcessOutput::ProcessOutput(const std::string& logFilePath):
	_logFilePath(logFilePath)
{
}

ProcessOutput::~ProcessOutput()
{
	finish(Poco::Timespan(2, 0));
}

Poco::Pipe* ProcessOutput::stdoutPipe()
{
	return &_stdout;
}

Poco::Pipe* ProcessOutput::stderrPipe()
{
	return &_stderr;
}

void ProcessOutput::startDraining()
{
	_open = 2;
	_stdoutReader = std::thread([this] { drain(_stdout, false); });
	_stderrReader = std::thread([this] { drain(_stderr, true); });
}

void ProcessOutput::finish(const Poco::Timespan& deadline)
{
	const Poco::Timestamp start;
	while (_open.load() > 0 && !start.isElapsed(deadline.totalMicroseconds()))
	{
		Poco::Thread::sleep(10);
	}
	_stop = true;
	if (_stdoutReader.joinable()) _stdoutReader.join();
	if (_stderrReader.joinable()) _stderrReader.join();
}

std::string ProcessOutput::text() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _text;
}

std::string ProcessOutput::stdoutText() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _stdoutText;
}

std::string ProcessOutput::stderrText() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _stderrText;
}

void ProcessOutput::drain(Poco::Pipe pipe, bool isStderr)
{
	char buffer[8192];
	while (!_stop.load())
	{
		pollfd pfd{pipe.readHandle(), POLLIN, 0};
		const int ready = ::poll(&pfd, 1, 50);
		if (ready < 0) break;
		if (ready == 0) continue;
		int n = 0;
		try
		{
			n = pipe.readBytes(buffer, sizeof(buffer));
		}
		catch (...)
		{
			n = 0;
		}
		if (n <= 0) break;
		append(buffer, static_cast<std::size_t>(n), isStderr);
	}
	--_open;
}

void ProcessOutput::append(const char* data, std::size_t size, bool isStderr)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_text.append(data, size);
	(isStderr ? _stderrText : _stdoutText).append(data, size);
	if (!_logFilePath.empty())
	{
		std::ofstream file(_logFilePath, std::ios::app | std::ios::binary);
		file.write(data, static_cast<std::streamsize>(size));
	}
}

} } // namespace Hookgate::Test

#pragma once

#include <Poco/Pipe.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace Hookgate {
namespace Test {

/// Collects what a child process writes to stdout and stderr: two pipes,
/// each drained by its own thread into memory and appended to a log file.
/// Pass stdoutPipe()/stderrPipe() to Poco::Process::launch(), then call
/// startDraining(). finish() waits (bounded) for end of file on both pipes.
class ProcessOutput
{
public:
	explicit ProcessOutput(const std::string& logFilePath = std::string());
	~ProcessOutput();

	ProcessOutput(const ProcessOutput&) = delete;
	ProcessOutput& operator=(const ProcessOutput&) = delete;

	Poco::Pipe* stdoutPipe();
	Poco::Pipe* stderrPipe();

	void startDraining();
		/// Starts the two reader threads. Call after launch().

	void finish(const Poco::Timespan& deadline = Poco::Timespan(5, 0));
		/// Waits until both pipes reached end of file or the deadline passed,
		/// then stops the readers. Idempotent.

	std::string text() const;
		/// Both streams as they arrived (interleaved by chunk).

	std::string stdoutText() const;
	std::string stderrText() const;

private:
	void drain(Poco::Pipe pipe, bool isStderr);
	void append(const char* data, std::size_t size, bool isStderr);

	std::string _logFilePath;
	Poco::Pipe _stdout;
	Poco::Pipe _stderr;
	std::thread _stdoutReader;
	std::thread _stderrReader;
	std::atomic<bool> _stop{false};
	std::atomic<int> _open{0};
	mutable std::mutex _mutex;
	std::string _text;
	std::string _stdoutText;
	std::string _stderrText;
};

} } // namespace Hookgate::Test

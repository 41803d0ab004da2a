#include "gateway/app/Daemon.h"

#if !defined(_WIN32)

#include <Poco/Exception.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace Hookgate {

namespace {

/// The launcher: passes on what the daemon writes to its standard error until that closes, then
/// ends with 0 if the daemon said it is ready, else with the daemon's exit code.
[[noreturn]] void runLauncher(pid_t daemon, int errors, int status)
{
	char buffer[4096];
	for (;;)
	{
		const ssize_t n = ::read(errors, buffer, sizeof buffer);
		if (n == 0) break;
		if (n < 0)
		{
			if (errno == EINTR) continue;
			break;
		}
		for (ssize_t written = 0; written < n;)
		{
			const ssize_t w = ::write(STDERR_FILENO, buffer + written, static_cast<std::size_t>(n - written));
			if (w < 0 && errno == EINTR) continue;
			if (w <= 0) break;
			written += w;
		}
	}
	char byte = 0;
	ssize_t got;
	do got = ::read(status, &byte, 1);
	while (got < 0 && errno == EINTR);
	if (got == 1) ::_exit(0);
	int code = 0;
	while (::waitpid(daemon, &code, 0) < 0 && errno == EINTR)
	{
	}
	if (WIFEXITED(code)) ::_exit(WEXITSTATUS(code) != 0 ? WEXITSTATUS(code) : 1);  // it ended before it was ready
	if (WIFSIGNALED(code)) ::_exit(128 + WTERMSIG(code));
	::_exit(1);
}

} // namespace

Daemon::~Daemon()
{
	if (_status >= 0) ::close(_status);
}

void Daemon::detach()
{
	int errors[2];
	int status[2];
	if (::pipe(errors) != 0) throw Poco::SystemException("pipe() for the daemon's start", std::strerror(errno));
	if (::pipe(status) != 0)
	{
		::close(errors[0]);
		::close(errors[1]);
		throw Poco::SystemException("pipe() for the daemon's start", std::strerror(errno));
	}
	std::cout.flush();
	std::cerr.flush();
	std::fflush(nullptr);
	const pid_t pid = ::fork();
	if (pid < 0) throw Poco::SystemException("fork() for the daemon", std::strerror(errno));
	if (pid > 0)
	{
		::close(errors[1]);
		::close(status[1]);
		runLauncher(pid, errors[0], status[0]);
	}
	::close(errors[0]);
	::close(status[0]);
	::setsid();
	::umask(027);
	if (::chdir("/") != 0)
	{
		// Not fatal: the paths are absolute already.
	}
	const int null = ::open("/dev/null", O_RDWR);
	if (null >= 0)
	{
		::dup2(null, STDIN_FILENO);
		::dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO) ::close(null);
	}
	::dup2(errors[1], STDERR_FILENO);
	::close(errors[1]);
	::fcntl(status[1], F_SETFD, FD_CLOEXEC);
	_status = status[1];
}

void Daemon::ready()
{
	if (_status < 0) return;
	std::cerr.flush();
	const char byte = 1;
	ssize_t w;
	do w = ::write(_status, &byte, 1);
	while (w < 0 && errno == EINTR);
	::close(_status);
	_status = -1;
	const int null = ::open("/dev/null", O_WRONLY);
	if (null >= 0)
	{
		::dup2(null, STDERR_FILENO);
		if (null != STDERR_FILENO) ::close(null);
	}
}

} // namespace Hookgate

#else

namespace Hookgate {

Daemon::~Daemon() = default;
void Daemon::detach() {}
void Daemon::ready() {}

} // namespace Hookgate

#endif

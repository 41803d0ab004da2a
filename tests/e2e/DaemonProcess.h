#pragma once

#include "GatewayProcess.h"

#include <Poco/Timespan.h>
#include <Poco/Types.h>

#include <string>

#include <sys/types.h>

namespace Hookgate {
namespace Test {

/// The real hookgate binary started as a Unix daemon (`--daemon --pidfile=...`) on the
/// directory, properties and database of a GatewayProcess:
///
///     GatewayProcess gateway;
///     DaemonProcess daemon(gateway);
///     daemon.start();               // the launcher exits 0, the daemon writes its pid file and answers /health
///     ...
///     bool exited = false;
///     const int code = daemon.terminate(Poco::Timespan(30, 0), exited);
///
/// The test process becomes a sub-reaper while the object lives, so the detached daemon is
/// re-parented to it and its exit code can be collected. A daemon still running when the object
/// is destroyed is killed (SIGKILL) and reaped.
class DaemonProcess
{
public:
	explicit DaemonProcess(GatewayProcess& gateway);
	~DaemonProcess();

	DaemonProcess(const DaemonProcess&) = delete;
	DaemonProcess& operator=(const DaemonProcess&) = delete;

	GatewayProcess::RunResult start(const Poco::Timespan& deadline = Poco::Timespan(30, 0));
		/// Runs `hookgate --daemon --pidfile=<pidFile> --config=<file>` and waits until the
		/// launcher has exited 0, the pid file names the daemon and GET /health answers 200.
		/// Returns what the launcher wrote; throws (with it) on failure.

	int terminate(const Poco::Timespan& deadline, bool& exited);
		/// SIGTERM, then waits at most deadline for the daemon to exit; returns its exit code
		/// (128 + signal) and sets exited, or -1 with exited false.

	bool gone() const;
		/// No such process any more, or a zombie nobody has reaped yet.

	/// Whether GET /health answered 200 the moment the launcher had exited (no waiting).
	bool answeredWhenLaunched() const;

	pid_t pid() const;
	Poco::UInt16 port() const;
	std::string pidFile() const;

private:
	GatewayProcess& _gateway;
	pid_t _pid = 0;
	bool _reaped = false;
	Poco::UInt16 _port = 0;
	bool _answeredWhenLaunched = false;
};

} } // namespace Hookgate::Test

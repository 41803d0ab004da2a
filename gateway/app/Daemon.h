#pragma once

namespace Hookgate {

/// Detaches the gateway as a Unix daemon once it has done what can fail at once (configuration
/// read, port bound), instead of before anything (as Poco's `--daemon` does, which left a
/// launcher that exited 0 whatever happened next).
///
///     Daemon daemon;
///     daemon.detach();   // the launcher stays here until the daemon is ready or has failed
///     ...                // open the store, start the server: errors go to the launcher's stderr
///     daemon.ready();    // the launcher exits 0
///
/// Until ready(), the daemon's standard error is passed to the launcher's, so every message of
/// a failed start reaches the terminal or the service manager; the launcher then exits with the
/// daemon's exit code. Unix only.
class Daemon
{
public:
	Daemon() = default;
	~Daemon();
	Daemon(const Daemon&) = delete;
	Daemon& operator=(const Daemon&) = delete;

	/// Forks. Returns in the daemon (a new session, working directory `/`, standard input and
	/// output on /dev/null). The launcher never returns: it ends the process with 0 once the
	/// daemon calls ready(), else with the daemon's exit code. Throws Poco::SystemException when
	/// the fork or its pipes cannot be made.
	void detach();

	/// In the daemon: tells the launcher that it runs; standard error goes to /dev/null from
	/// now on. Nothing when not detached.
	void ready();

private:
	int _status = -1;  ///< the daemon's end of the pipe that tells the launcher it is ready
};

} // namespace Hookgate

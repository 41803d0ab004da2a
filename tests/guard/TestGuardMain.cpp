// test_guard PROGRAM [ARGS...]: runs one test so that nothing it starts outlives it.
//
// ctest starts every test through it (tests/CMakeLists.txt: the e2e and unit tests name it
// as their CROSSCOMPILING_EMULATOR, which catch_discover_tests puts in front of each test;
// the browser tests name it in their command). test_guard
//  - gives the test a temporary folder of its own (TMPDIR=<TMPDIR or /tmp>/hookgate-test-XXXXXX)
//    and removes it afterwards, so a test killed before its clean-up leaves no folder behind;
//  - becomes a child subreaper, so whatever the test starts stays its descendant even when
//    the test dies first (a gateway, a receiver, Chromium, PostgreSQL);
//  - asks the kernel for SIGTERM when its parent (the runner: ctest) dies, killed or not;
//  - when the test has ended, or on SIGTERM, SIGINT, SIGHUP or SIGQUIT, stops every process
//    still below it (SIGTERM, SIGKILL after 5 s) and removes the folder;
//  - exits with the test's status (128 + signal number for a test or guard ended by a
//    signal). A test that passed but left processes running fails (exit 70) and names them.
//
// The test gets HOOKGATE_TEST_GUARD=<pid of the guard> and HOOKGATE_TEST_RUNNER=<pid of its
// parent, ctest> in its environment.
// Set HOOKGATE_TEST_KEEP_TMP=1 to keep the folder of a test for a look afterwards.

#include "ProcessTree.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using Hookgate::Test::ProcessTree;

namespace {

const int EXIT_LEAKED = 70;  // EX_SOFTWARE
const auto TERM_GRACE = std::chrono::seconds(5);
const auto KILL_GRACE = std::chrono::seconds(10);

void say(const std::string& text)
{
	std::cerr << "test_guard: " << text << std::endl;
}

/// Collects every exited child (the test, and orphans handed to us as subreaper); returns
/// true when `test` was among them, with its status in `status`.
bool reap(pid_t test, int& status)
{
	bool testEnded = false;
	while (true)
	{
		int s = 0;
		const pid_t pid = ::waitpid(-1, &s, WNOHANG);
		if (pid <= 0) break;
		if (pid == test)
		{
			status = s;
			testEnded = true;
		}
	}
	return testEnded;
}

/// Stops every process below us: SIGTERM, then SIGKILL for those still there after the
/// grace. Returns those that were running when it began.
std::vector<ProcessTree::Process> stopDescendants(pid_t test, int& testStatus, bool& testEnded)
{
	const pid_t self = ::getpid();
	const std::vector<ProcessTree::Process> found = ProcessTree::descendants(self);
	if (found.empty()) return found;
	for (int signal : {SIGTERM, SIGKILL})
	{
		const auto deadline = std::chrono::steady_clock::now() + (signal == SIGTERM ? TERM_GRACE : KILL_GRACE);
		while (true)
		{
			if (reap(test, testStatus)) testEnded = true;
			const auto left = ProcessTree::descendants(self);
			if (left.empty()) return found;
			if (std::chrono::steady_clock::now() >= deadline) break;
			// Again each round: a process may have forked since.
			for (const auto& p : left) ::kill(p.pid, signal);
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	}
	say("processes still running after SIGKILL:\n" + ProcessTree::describe(ProcessTree::descendants(self)));
	return found;
}

std::string makeFolder()
{
	const char* base = std::getenv("TMPDIR");
	std::string pattern = std::string(base && *base ? base : "/tmp");
	if (pattern.back() != '/') pattern += '/';
	pattern += "hookgate-test-XXXXXX";
	std::vector<char> buffer(pattern.begin(), pattern.end());
	buffer.push_back('\0');
	if (!::mkdtemp(buffer.data())) return {};
	// Reachable by PostgreSQL, which a test may run as its own user below this folder.
	::chmod(buffer.data(), 0755);
	return buffer.data();
}

} // namespace

int main(int argc, char** argv)
{
	if (argc < 2)
	{
		std::cerr << "usage: test_guard PROGRAM [ARGS...] (runs one test; nothing it starts outlives it)" << std::endl;
		return 64;
	}
	const pid_t runner = ::getppid();
	sigset_t handled;
	sigset_t previous;
	::sigemptyset(&handled);
	for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT}) ::sigaddset(&handled, s);
	::sigprocmask(SIG_BLOCK, &handled, &previous);

	if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		say(std::string("cannot become a child subreaper: ") + std::strerror(errno));
	::prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	const bool runnerGone = ::getppid() != runner;  // died before the request took effect

	const std::string folder = makeFolder();
	if (folder.empty())
	{
		say(std::string("cannot make a temporary folder: ") + std::strerror(errno));
		return 71;
	}
	::setenv("TMPDIR", folder.c_str(), 1);
	::setenv("HOOKGATE_TEST_GUARD", std::to_string(::getpid()).c_str(), 1);
	// The ctest process, for tests that find what a fixture of the run left (PostgreSQLFixture).
	::setenv("HOOKGATE_TEST_RUNNER", std::to_string(runner).c_str(), 1);

	std::cout.flush();
	std::cerr.flush();
	const pid_t test = ::fork();
	if (test < 0)
	{
		say(std::string("fork: ") + std::strerror(errno));
		std::filesystem::remove_all(folder);
		return 71;
	}
	if (test == 0)
	{
		::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
		::sigprocmask(SIG_SETMASK, &previous, nullptr);
		::execvp(argv[1], argv + 1);
		std::cerr << "test_guard: cannot run " << argv[1] << ": " << std::strerror(errno) << std::endl;
		::_exit(127);
	}

	// Our output goes to the runner: once it is dead, a write must fail, not kill us (SIGPIPE)
	// before we have stopped the test. Only now: the test keeps the default.
	::signal(SIGPIPE, SIG_IGN);

	int testStatus = 0;
	bool testEnded = false;
	int stopSignal = runnerGone ? SIGTERM : 0;
	while (!testEnded && stopSignal == 0)
	{
		const timespec second{1, 0};
		siginfo_t info{};
		const int signal = ::sigtimedwait(&handled, &info, &second);
		if (signal == SIGTERM || signal == SIGINT || signal == SIGHUP || signal == SIGQUIT)
			stopSignal = signal;
		if (reap(test, testStatus)) testEnded = true;
	}
	if (stopSignal != 0)
		say(std::string("got ") + ::strsignal(stopSignal) + (runnerGone || ::getppid() != runner ? " (the runner is gone)" : "") +
			"; stopping the test and everything it started");

	const auto leftovers = stopDescendants(test, testStatus, testEnded);
	if (!testEnded) reap(test, testStatus);

	std::error_code error;
	if (std::getenv("HOOKGATE_TEST_KEEP_TMP"))
		say("kept " + folder);
	else if (std::filesystem::remove_all(folder, error) == static_cast<std::uintmax_t>(-1) || error)
		say("cannot remove " + folder + ": " + error.message());

	if (stopSignal != 0) return 128 + stopSignal;
	const int code = WIFEXITED(testStatus) ? WEXITSTATUS(testStatus) : 128 + WTERMSIG(testStatus);
	if (!leftovers.empty())
	{
		say("the test left " + std::to_string(leftovers.size()) + " process(es) running; stopped them:\n" +
			ProcessTree::describe(leftovers));
		if (code == 0) return EXIT_LEAKED;
	}
	return code;
}

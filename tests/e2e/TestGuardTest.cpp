// Issue 23: nothing a test starts outlives it, even when its runner is killed mid-test.
//
// The test runs a small ctest project of its own (written into a temporary folder) the way
// the suite runs: the shared PostgreSQL fixture and, each under test_guard, what a browser
// test starts (tests/browser/guard-victim.mjs: node, a gateway, Chromium) and an e2e test on
// PostgreSQL (the hidden test below: a gateway, a receiver, a Python SMTP server). Both run
// until they are killed, so that the kill surely comes mid-test. Once all of them are running it kills that ctest with SIGKILL, then checks
// that no process of the run is left and that its temporary folders are gone. The processes
// of the run are found by a variable in their environment, which they all inherit.

#include "GatewayProcess.h"
#include "MailServer.h"
#include "Receiver.h"
#include "Wait.h"

#include "../guard/ProcessTree.h"

#include <catch2/catch.hpp>

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <csignal>
#include <sys/stat.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Hookgate::Test;

namespace {

const std::string MARKER = "HOOKGATE_GUARD_CHECK";

/// A string quoted for a CMake script (a ';' stays a list separator).
std::string quoted(const std::string& text)
{
	std::string out = "\"";
	for (char c : text)
	{
		if (c == '"' || c == '\\' || c == '$') out += '\\';
		out += c;
	}
	return out + "\"";
}

std::string ownExecutable()
{
	std::vector<char> buffer(4096);
	const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
	REQUIRE(n > 0);
	return std::string(buffer.data(), static_cast<std::size_t>(n));
}

std::string baseName(const std::string& command)
{
	const std::string program = command.substr(0, command.find(' '));
	const auto slash = program.rfind('/');
	return slash == std::string::npos ? program : program.substr(slash + 1);
}

bool anyNamed(const std::vector<ProcessTree::Process>& processes, const std::string& name, std::size_t count = 1)
{
	return static_cast<std::size_t>(std::count_if(processes.begin(), processes.end(),
		[&](const ProcessTree::Process& p) { return baseName(p.command) == name; })) >= count;
}

bool anyContaining(const std::vector<ProcessTree::Process>& processes, const std::string& text)
{
	return std::any_of(processes.begin(), processes.end(),
		[&](const ProcessTree::Process& p) { return p.command.find(text) != std::string::npos; });
}

std::vector<std::string> entries(const std::string& folder)
{
	std::vector<std::string> names;
	Poco::File(folder).list(names);
	return names;
}

} // namespace

TEST_CASE("A runner killed mid-test leaves no process and no temporary folder behind", "[sqlite][guard]")
{
	const std::string token = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
	// In /tmp, not under TMPDIR: Chromium's singleton socket lives below the nested guard's
	// folder, and a socket path has at most 107 bytes.
	char pattern[] = "/tmp/hookgate-gc-XXXXXX";
	REQUIRE(::mkdtemp(pattern) != nullptr);
	const std::string folder = pattern;
	const std::string tmp = folder + "/t";
	Poco::File(tmp).createDirectories();
	// PostgreSQL runs as its own user below tmp/.
	REQUIRE(::chmod(folder.c_str(), 0755) == 0);
	REQUIRE(::chmod(tmp.c_str(), 0755) == 0);

	const std::string guard = HOOKGATE_TEST_GUARD_BINARY;
	{
		Poco::FileOutputStream script(folder + "/CTestTestfile.cmake");
		script << "add_test(pg-start " << quoted(HOOKGATE_PG_TEST_SERVER) << " start)\n"
			<< "set_tests_properties(pg-start PROPERTIES FIXTURES_SETUP pg)\n"
			<< "add_test(pg-stop " << quoted(HOOKGATE_PG_TEST_SERVER) << " stop)\n"
			<< "set_tests_properties(pg-stop PROPERTIES FIXTURES_CLEANUP pg)\n"
			<< "add_test(browser " << quoted(guard) << " " << quoted(HOOKGATE_NODE_BINARY) << " "
			<< quoted(std::string(HOOKGATE_SOURCE_DIR) + "/tests/browser/guard-victim.mjs") << ")\n"
			<< "set_tests_properties(browser PROPERTIES ENVIRONMENT "
			<< quoted(std::string("HOOKGATE_BINARY=") + HOOKGATE_BINARY + ";HOOKGATE_SOURCE_DIR=" + HOOKGATE_SOURCE_DIR +
				";HOOKGATE_SCREENSHOTS=" + folder + "/screenshots")
			<< ")\n"
			<< "add_test(e2e-pg " << quoted(guard) << " " << quoted(ownExecutable())
			<< " \"A test that runs until it is killed\")\n"
			<< "set_tests_properties(e2e-pg PROPERTIES FIXTURES_REQUIRED pg ENVIRONMENT HOOKGATE_TEST_STORE=postgresql)\n";
	}

	Poco::Pipe output;
	Poco::Process::Env environment{{"TMPDIR", tmp}, {MARKER, token}};
	Poco::ProcessHandle ctest = Poco::Process::launch(HOOKGATE_CTEST,
		{"--test-dir", folder, "--parallel", "3", "--output-on-failure"}, folder, nullptr, &output, &output, environment);
	// Read its output on the side, so that a full pipe never blocks it.
	std::string ctestOutput;
	std::thread reader([&] {
		Poco::PipeInputStream in(output);
		std::string line;
		while (std::getline(in, line)) ctestOutput += line + "\n";
	});
	struct Join
	{
		std::thread& thread;
		pid_t pid;
		~Join()
		{
			::kill(pid, SIGKILL);
			if (thread.joinable()) thread.join();
		}
	} join{reader, ctest.id()};

	// All of them running: the fixture's PostgreSQL, two gateways (the browser test's and the
	// e2e test's), Chromium, node and the Python SMTP server.
	std::vector<ProcessTree::Process> running;
	const bool allRunning = waitUntil([&] {
		running = ProcessTree::withEnvironment(MARKER, token);
		return anyNamed(running, "postgres") && anyNamed(running, "hookgate", 2) && anyContaining(running, "chrom") &&
			anyNamed(running, "node") && anyContaining(running, "mail_server.py") && anyNamed(running, "test_guard", 2);
	}, Poco::Timespan(180, 0), Poco::Timespan(0, 50000));
	INFO("processes of the run:\n" << ProcessTree::describe(running));
	INFO("ctest's output:\n" << ctestOutput);
	REQUIRE(allRunning);

	// The runner dies without a word: nothing of its own can clean up.
	REQUIRE(::kill(ctest.id(), SIGKILL) == 0);
	int status = 0;
	REQUIRE(::waitpid(ctest.id(), &status, 0) == ctest.id());
	REQUIRE(WIFSIGNALED(status));

	std::vector<ProcessTree::Process> left;
	const bool noneLeft = waitUntil([&] {
		left = ProcessTree::withEnvironment(MARKER, token);
		return left.empty();
	}, Poco::Timespan(60, 0));
	INFO("left running:\n" << ProcessTree::describe(left));
	CHECK(noneLeft);
	std::vector<std::string> folders;
	const bool noFolders = waitUntil([&] {
		folders = entries(tmp);
		return folders.empty();
	}, Poco::Timespan(30, 0));
	INFO("left in " << tmp << ": " << Catch::Detail::stringify(folders));
	CHECK(noFolders);
	if (noneLeft) Poco::File(folder).remove(true);
}

// Hidden, and tagged with both stores so that neither discovery's TEST_SPEC (which, being a
// spec, would match a hidden test) lists it.
TEST_CASE("A test that runs until it is killed", "[.][sqlite][postgresql]")
{
	// Started only by the test above, as the e2e test its runner is killed in: a gateway, a
	// receiver and a Python SMTP server, then it waits (bounded) to be killed.
	Receiver receiver;
	receiver.start();
	MailServer mail;
	mail.start();
	GatewayProcess gateway;
	gateway.start();
	CHECK_FALSE(waitUntil([] { return false; }, Poco::Timespan(240, 0), Poco::Timespan(1, 0)));
}

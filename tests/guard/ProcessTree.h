#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace Hookgate {
namespace Test {

/// The processes below one process, read from /proc (Linux). Used by test_guard to stop
/// whatever a test started, and by the test that checks nothing outlives a killed runner.
class ProcessTree
{
public:
	struct Process
	{
		pid_t pid = 0;
		pid_t parent = 0;
		char state = '?';      ///< as in /proc/<pid>/stat: R, S, D, Z (zombie), ...
		std::string command;  ///< the command line, arguments joined by spaces
	};

	/// Every process on the machine (those that vanish while being read are skipped).
	static std::vector<Process> all();

	/// The living (not zombie) descendants of `root`, children before grandchildren.
	static std::vector<Process> descendants(pid_t root);

	/// The living processes whose environment holds `name=value` (needs the right to read
	/// /proc/<pid>/environ: the same user, or root).
	static std::vector<Process> withEnvironment(const std::string& name, const std::string& value);

	/// "pid command" lines, one per process, for messages.
	static std::string describe(const std::vector<Process>& processes);
};

} // namespace Test
} // namespace Hookgate

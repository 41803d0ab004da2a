#include "ProcessTree.h"

#include <cctype>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace Hookgate {
namespace Test {

namespace {

/// The whole file, or what could be read of it: a process may exit while we read its files,
/// and then read() fails with ESRCH (std::ifstream would throw from underflow()).
std::string readFile(const std::string& path)
{
	std::string text;
	const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) return text;
	char buffer[4096];
	while (true)
	{
		const ssize_t n = ::read(fd, buffer, sizeof buffer);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		text.append(buffer, static_cast<std::size_t>(n));
	}
	::close(fd);
	return text;
}

/// /proc/<pid>/stat is "pid (comm) state ppid ...", and comm may hold spaces and ')'.
bool readStat(pid_t pid, ProcessTree::Process& process)
{
	const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
	const auto close = stat.rfind(')');
	if (close == std::string::npos) return false;
	std::istringstream rest(stat.substr(close + 1));
	long parent = 0;
	if (!(rest >> process.state >> parent)) return false;
	process.pid = pid;
	process.parent = static_cast<pid_t>(parent);
	std::string command = readFile("/proc/" + std::to_string(pid) + "/cmdline");
	while (!command.empty() && command.back() == '\0') command.pop_back();
	for (char& c : command)
		if (c == '\0') c = ' ';
	if (command.empty())
	{
		const auto open = stat.find('(');
		command = "[" + stat.substr(open + 1, close - open - 1) + "]";
	}
	process.command = command;
	return true;
}

} // namespace

std::vector<ProcessTree::Process> ProcessTree::all()
{
	std::vector<Process> result;
	const std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
	if (!proc) return result;
	while (const dirent* entry = ::readdir(proc.get()))
	{
		const std::string name = entry->d_name;
		if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
		Process process;
		if (readStat(static_cast<pid_t>(std::stol(name)), process)) result.push_back(process);
	}
	return result;
}

std::vector<ProcessTree::Process> ProcessTree::descendants(pid_t root)
{
	const std::vector<Process> processes = all();
	std::multimap<pid_t, const Process*> children;
	for (const Process& p : processes) children.emplace(p.parent, &p);
	std::vector<Process> result;
	std::vector<pid_t> queue{root};
	for (std::size_t i = 0; i < queue.size(); ++i)
	{
		const auto range = children.equal_range(queue[i]);
		for (auto it = range.first; it != range.second; ++it)
		{
			queue.push_back(it->second->pid);
			if (it->second->state != 'Z') result.push_back(*it->second);
		}
	}
	return result;
}

std::vector<ProcessTree::Process> ProcessTree::withEnvironment(const std::string& name, const std::string& value)
{
	const std::string wanted = name + "=" + value;
	std::vector<Process> result;
	for (const Process& p : all())
	{
		if (p.state == 'Z') continue;
		const std::string environment = readFile("/proc/" + std::to_string(p.pid) + "/environ");
		std::size_t start = 0;
		while (start < environment.size())
		{
			auto end = environment.find('\0', start);
			if (end == std::string::npos) end = environment.size();
			if (environment.compare(start, end - start, wanted) == 0)
			{
				result.push_back(p);
				break;
			}
			start = end + 1;
		}
	}
	return result;
}

std::string ProcessTree::describe(const std::vector<Process>& processes)
{
	std::string text;
	for (const Process& p : processes)
	{
		text += "  " + std::to_string(p.pid) + " " + (p.command.size() > 200 ? p.command.substr(0, 200) + "..." : p.command);
		text += "\n";
	}
	return text;
}

} // namespace Test
} // namespace Hookgate

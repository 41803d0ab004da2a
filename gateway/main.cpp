#include "gateway/HookgateServer.h"

#include <Poco/Path.h>

#include <string>
#include <vector>

namespace {

/// `--daemon` changes to `/` before options are read: make file options absolute first.
std::string absolutise(const std::string& arg)
{
	for (const std::string prefix : {"--config=", "--pidfile="})
	{
		if (arg.compare(0, prefix.size(), prefix) == 0 && arg.size() > prefix.size())
			return prefix + Poco::Path(arg.substr(prefix.size())).absolute().toString();
	}
	return arg;
}

} // namespace

#if defined(_WIN32)
POCO_SERVER_MAIN(Hookgate::HookgateServer)
#else
int main(int argc, char** argv)
{
	std::vector<std::string> args;
	for (int i = 0; i < argc; ++i) args.push_back(i == 0 ? std::string(argv[i]) : absolutise(argv[i]));
	std::vector<char*> pointers;
	for (auto& a : args) pointers.push_back(a.data());
	pointers.push_back(nullptr);
	Hookgate::HookgateServer server;
	return server.run(argc, pointers.data());
}
#endif

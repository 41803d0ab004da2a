#include "gateway/app/HookgateServer.h"

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
	// --daemon and --pidfile= are the gateway's, not Poco's: Poco would detach before the
	// configuration is read and write the launcher's pid (HookgateServer::daemonize says more).
	Hookgate::HookgateServer server;
	std::vector<std::string> args;
	for (int i = 0; i < argc; ++i)
	{
		const std::string arg = i == 0 ? std::string(argv[i]) : absolutise(argv[i]);
		if (i > 0 && arg == "--daemon") server.daemonize(true);
		else if (i > 0 && arg.rfind("--pidfile=", 0) == 0) server.setPidFile(arg.substr(10));
		else args.push_back(arg);
	}
	std::vector<char*> pointers;
	for (auto& a : args) pointers.push_back(a.data());
	pointers.push_back(nullptr);
	return server.run(static_cast<int>(args.size()), pointers.data());
}
#endif

#pragma once

#include "gateway/app/Daemon.h"
#include "gateway/app/PidFile.h"
#include "gateway/config/Settings.h"

#include <Poco/Util/ServerApplication.h>

#include <memory>

#include <string>
#include <vector>

namespace Hookgate {

/// The `hookgate` executable: options, configuration, daemon / Windows service, and the
/// life cycle of the store, the dispatcher and the HTTP API.
class HookgateServer : public Poco::Util::ServerApplication
{
public:
	HookgateServer() = default;

	/// Exit code for a configuration error (sysexits EX_CONFIG).
	static const int EXIT_CONFIG_ERROR = 78;

	/// `--daemon` (Unix): detach once the configuration is read and the port is bound; the
	/// launcher waits until the daemon is ready, passes on its error messages and exits with its
	/// exit code when the start fails (Daemon).
	void daemonize(bool on) { _daemonize = on; }
	/// `--pidfile=FILE`: the pid of the process that serves (the daemon's, not the launcher's),
	/// written before it is ready and removed when it ends.
	void setPidFile(const std::string& path) { _pidFilePath = path; }

protected:
	void defineOptions(Poco::Util::OptionSet& options) override;
	void handleOption(const std::string& name, const std::string& value) override;
	void initialize(Poco::Util::Application& self) override;
	int main(const std::vector<std::string>& args) override;

private:
	void displayHelp();
	void setUpLogging();
	void writePortFile(int port);

	bool _helpRequested = false;
	std::string _configFile;
	std::string _configError;
	Settings _settings;
	/// Keys of the file under application.: Poco's own, so the file's values have no effect (warned of).
	std::vector<std::string> _applicationKeys;
	bool _daemonize = false;
	Daemon _daemon;
	std::string _pidFilePath;
	std::unique_ptr<PidFile> _pidFile;
};

} // namespace Hookgate

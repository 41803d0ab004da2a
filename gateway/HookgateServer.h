#pragma once

#include "gateway/Settings.h"

#include <Poco/Util/ServerApplication.h>

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
};

} // namespace Hookgate

#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <string>
#include <vector>

namespace Hookgate {

/// The properties file as the operator wrote it: read once, with the system's reason when it
/// cannot be (missing, a folder, no permission), parsed by Poco's PropertyFileConfiguration, and
/// checked key by key against ConfigKeys, each key with the line it is on.
///
///     ConfigFile file("/etc/hookgate/hookgate.properties");  // throws ConfigException
///     file.checkKeys();                                       // throws ConfigException
///     Settings settings = Settings::load(*file.configuration(), file.directory());
class ConfigFile
{
public:
	/// Reads and parses the file. Throws ConfigException naming the file and why it cannot be read.
	explicit ConfigFile(const std::string& path);

	const std::string& path() const;
	/// The folder of the file: relative paths inside it are resolved against it.
	std::string directory() const;
	Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> configuration() const;

	/// The first line a key is set on (1-based), 0 when the file does not set it.
	int line(const std::string& key) const;

	/// Throws ConfigException for the first key, in the order of the file, that is neither in
	/// ConfigKeys nor one of Poco's own (ConfigKeys::poco), or that is set twice:
	/// `<file>:<line>: unknown key hookgate.delivery.timout (did you mean hookgate.delivery.timeout?)`.
	void checkKeys() const;

	/// The keys of the file under `application.`: Poco sets these at start, so the file's values
	/// have no effect (the server warns of each).
	std::vector<std::string> applicationKeys() const;

	/// A key as it may be shown in a message: bytes outside printable ASCII as \xNN.
	static std::string printable(const std::string& key);

private:
	struct Entry
	{
		std::string key;
		int line = 0;
	};

	/// The keys in the order of the file, as Poco's parser reads them (the same rules: `#` and `!`
	/// comments, `=` or `:`, a backslash at the end of a line continues the value).
	static std::vector<Entry> scan(const std::string& text);

	std::string _path;
	Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> _configuration;
	std::vector<Entry> _entries;
};

} // namespace Hookgate

// The properties file, the settings reader, durations and email addresses. A configuration is
// either loaded or refused with ConfigException (exit 78); nothing else may escape.
#include "gateway/core/Duration.h"
#include "gateway/config/Settings.h"
#include "gateway/config/ConfigFile.h"
#include "transports/EmailAddress.h"

#include <Poco/Exception.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <cstdlib>
#include <string>

using namespace Hookgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	static const std::string folder = [] {
		Poco::TemporaryFile dir;
		dir.keep();
		dir.createDirectories();
		return dir.path();
	}();
	const std::string path = folder + "/hookgate.properties";
	{
		Poco::FileOutputStream out(path, std::ios::binary | std::ios::trunc);
		out << text;
	}
	try
	{
		const ConfigFile file(path);
		file.checkKeys();
		Settings::load(*file.configuration(), file.directory());
	}
	catch (const ConfigException&)
	{
	}
	try
	{
		const Poco::Timespan span = Duration::parse(text);
		if (span.totalMilliseconds() < 0) std::abort();
		Duration::format(span);
	}
	catch (const Poco::SyntaxException&)
	{
	}
	EmailAddress::check(text);
	return 0;
}

#include "gateway/config/Settings.h"
#include "gateway/config/ConfigFile.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include <fstream>

using namespace Hookgate;

namespace {

/// A properties file with this text, removed with the object.
struct PropertiesFile
{
	explicit PropertiesFile(const std::string& text)
	{
		std::ofstream out(file.path(), std::ios::binary);
		out << text;
	}
	std::string path() const { return Poco::Path(file.path()).absolute().toString(); }
	Poco::TemporaryFile file;
};

std::string checkError(const std::string& text)
{
	const PropertiesFile f(text);
	try
	{
		ConfigFile(f.path()).checkKeys();
	}
	catch (const ConfigException& e)
	{
		const std::string message = e.message();
		// Report the message without the temporary path, which differs at every run.
		return message.rfind(f.path(), 0) == 0 ? message.substr(f.path().size()) : message;
	}
	return "(no error)";
}

std::string openError(const std::string& path)
{
	try
	{
		ConfigFile file(path);
	}
	catch (const ConfigException& e)
	{
		return e.message();
	}
	return "(no error)";
}

} // namespace

TEST_CASE("a misspelt key stops the check with its file and line and the nearest known key", "[config]")
{
	CHECK(checkError("# comment\nhookgate.api.adminToken = a-long-token\n\nhookgate.delivery.timout = 5s\n") ==
		":4: unknown key hookgate.delivery.timout (did you mean hookgate.delivery.timeout?)");
	CHECK(checkError("hookgate.security.allowPrivateDestination = true\n") ==
		":1: unknown key hookgate.security.allowPrivateDestination (did you mean hookgate.security.allowPrivateDestinations?)");
	CHECK(checkError("hookgate.smtp.mdoe: smtp\n") == ":1: unknown key hookgate.smtp.mdoe (did you mean hookgate.smtp.mode?)");
	CHECK(checkError("hookgate.htp.port = 1\n") == ":1: unknown key hookgate.htp.port (did you mean hookgate.http.port?)");
	CHECK(checkError("hookgate.frobnicate = 1\n") == ":1: unknown key hookgate.frobnicate");
}

TEST_CASE("a line of garbage is an unknown key, shown with its bytes escaped", "[config]")
{
	CHECK(checkError("hookgate.http.port = 8080\n\x01\x7f\xff garbage\n") ==
		":2: unknown key \\x01\\x7F\\xFF garbage (the gateway's keys begin with hookgate.; Poco's own with logging.loggers., "
		"logging.channels., logging.formatters. or application.)");
	CHECK(checkError("= value without a key\n") == ":1: a line without a key (it starts with '=' or ':')");
}

TEST_CASE("a key set twice is refused naming both lines", "[config]")
{
	CHECK(checkError("hookgate.http.port = 1\nhookgate.http.address = 127.0.0.1\nhookgate.http.port = 2\n") ==
		":3: hookgate.http.port is set twice (first on line 1); only one value may be given");
}

TEST_CASE("lines are counted across continued values and Windows line ends", "[config]")
{
	CHECK(checkError("hookgate.delivery.retrySchedule = 5s, \\\n   5m, \\\r\n   1h\r\nhookgate.deliver.timeout = 1s\n") ==
		":4: unknown key hookgate.deliver.timeout (did you mean hookgate.delivery.timeout?)");
	const PropertiesFile f("a.b = 1\r\n\r\n  ! comment\r\nhookgate.http.port = 2\r\n");
	const ConfigFile file(f.path());
	CHECK(file.line("hookgate.http.port") == 4);
	CHECK(file.line("hookgate.http.address") == 0);
}

TEST_CASE("Poco's own keys are allowed; the application ones are listed for a warning", "[config]")
{
	CHECK(checkError("logging.loggers.l1.name = hookgate.http\nlogging.loggers.l1.level = debug\napplication.logger = x\n") == "(no error)");
	const PropertiesFile f("application.logger = x\nhookgate.http.port = 1\n");
	CHECK(ConfigFile(f.path()).applicationKeys() == std::vector<std::string>{"application.logger"});
}

TEST_CASE("the file's values are Poco's reading of it", "[config]")
{
	const PropertiesFile f("hookgate.delivery.retrySchedule = 5s, \\\n  5m\nhookgate.http.port: 9000\n");
	const ConfigFile file(f.path());
	CHECK(file.configuration()->getString("hookgate.delivery.retrySchedule") == "5s,   5m");  // as Poco reads a continued line
	CHECK(file.configuration()->getInt("hookgate.http.port") == 9000);
	CHECK(file.directory() == Poco::Path(f.path()).parent().toString());
}

TEST_CASE("a configuration that is missing, a folder or unreadable is refused with the reason", "[config]")
{
	const std::string folder = Poco::Path::temp();
	CHECK(openError(folder) == "configuration file " + Poco::Path(folder).absolute().toString() + " is a folder, not a file");
	CHECK(openError("/nonexistent/hookgate.properties") == "configuration file /nonexistent/hookgate.properties does not exist");
	// A file the system refuses to read (the tests run as root, so a mode of 000 would not do).
	const std::string unreadable = openError("/proc/self/mem");
	INFO(unreadable);
	CHECK(unreadable.rfind("configuration file /proc/self/mem cannot be read: ", 0) == 0);
}

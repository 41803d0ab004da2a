#include "gateway/core/Store.h"
#include "gateway/store/WalSync.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

using namespace Hookgate;

TEST_CASE("A log sync names the missing log, follows a log SQLite replaced, and does nothing once closed", "[store][sqlite]")
{
	Poco::TemporaryFile dir;
	dir.createDirectories();
	const std::string database = Poco::Path(dir.path(), "hookgate.db").toString();
	const std::string log = database + "-wal";
	WalSync sync(database);

	std::string message;
	try
	{
		sync.sync();
	}
	catch (const StoreUnavailableException& e)
	{
		message = e.message();
	}
	CHECK(message == "cannot open " + log + " to sync it: No such file or directory");

	{
		Poco::FileOutputStream out(log);
		out << "frames";
	}
	CHECK_NOTHROW(sync.sync());
	// Replaced (another inode at the same path): synced through a new descriptor.
	Poco::File(log).remove();
	CHECK_THROWS_AS(sync.sync(), StoreUnavailableException);
	{
		Poco::FileOutputStream out(log);
		out << "new frames";
	}
	CHECK_NOTHROW(sync.sync());

	sync.close();
	Poco::File(log).remove();
	CHECK_NOTHROW(sync.sync());
}

// Issue 15, part 8: GET /ready answers 503 while the store cannot write and 200 again once it
// can; /health stays pure liveness. The disk fills up for real: the database lives on a small
// tmpfs of its own (the tests run as root).

#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mount.h>
#include <unistd.h>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(30, 0);

/// A tmpfs of `size` mounted on a fresh folder, unmounted at the end.
class SmallDisk
{
public:
	explicit SmallDisk(const std::string& size)
	{
		_folder.createDirectories();
		if (::mount("tmpfs", _folder.path().c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0)
			FAIL("cannot mount a tmpfs on " << _folder.path() << " (the test needs root): " << std::strerror(errno));
		_mounted = true;
	}
	~SmallDisk()
	{
		if (_mounted) ::umount2(_folder.path().c_str(), MNT_DETACH);
	}
	std::string path(const std::string& name) const { return _folder.path() + "/" + name; }

	/// Writes `name` until the disk is full; returns the bytes written.
	std::size_t fill(const std::string& name) const
	{
		const int fd = ::open(path(name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		REQUIRE(fd >= 0);
		const std::string block(4096, 'x');
		std::size_t written = 0;
		while (true)
		{
			const ssize_t n = ::write(fd, block.data(), block.size());
			if (n <= 0) break;
			written += static_cast<std::size_t>(n);
		}
		const int error = errno;
		::close(fd);
		REQUIRE(error == ENOSPC);
		return written;
	}

private:
	Poco::TemporaryFile _folder;
	bool _mounted = false;
};

int statusOf(const ApiClient& api, const std::string& path)
{
	return api.get(path, std::string()).status;
}

} // namespace

TEST_CASE("Ready answers 503 while the disk is full and 200 again once there is room, while health stays 200", "[e2e][sqlite]")
{
	SmallDisk disk("8m");
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.store.sqlite.path", disk.path("hookgate.db")}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");

	const ApiResponse ready = api.get("/ready", std::string());
	INFO("GET /ready -> " << ready.describe());
	REQUIRE(ready.status == 200);
	CHECK(ready.body == R"({"status":"ready"})");

	disk.fill("filler");
	// Events of 64 KiB until the store refuses one: each needs fresh pages.
	const std::string event = R"({"type":"customer.created","data":{"note":")" + std::string(64 * 1024, 'n') + "\"}}";
	ApiResponse refused;
	for (int i = 0; i < 200 && refused.status != 503; ++i)
	{
		const ApiResponse r = api.post("/api/v1/accounts/acme/events", event);
		INFO("event " << i << " -> " << r.describe());
		REQUIRE((r.status == 202 || r.status == 503));
		if (r.status == 503) refused = r;
	}
	INFO("refused -> " << refused.describe());
	REQUIRE(refused.status == 503);

	const ApiResponse notReady = api.get("/ready", std::string());
	INFO("GET /ready on a full disk -> " << notReady.describe());
	CHECK(notReady.status == 503);
	REQUIRE(notReady.json);
	CHECK(Steps::stringOf(notReady.json, "status") == "unavailable");
	CHECK_FALSE(Steps::stringOf(notReady.json, "reason").empty());
	CHECK(statusOf(api, "/health") == 200);

	// Room again: /ready comes back by itself (the probe), and the gateway takes events.
	Poco::File(disk.path("filler")).remove();
	CHECK(waitUntil([&] { return statusOf(api, "/ready") == 200; }, DEADLINE));
	const ApiResponse accepted = api.post("/api/v1/accounts/acme/events", event);
	INFO("event after the disk has room again -> " << accepted.describe());
	CHECK(accepted.status == 202);
	CHECK(statusOf(api, "/health") == 200);
}

#include "gateway/store/AccountCache.h"
#include "gateway/store/SQLiteStore.h"

#include "StoreTestData.h"

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace Hookgate;

namespace {

Account account(const std::string& id, const std::string& name)
{
	Account a = Test::makeAccount(id);
	a.name = name;
	return a;
}

Endpoint endpoint(const std::string& accountId, const std::string& id, const std::string& url)
{
	Endpoint e = Test::makeEndpoint(accountId, id);
	e.url = url;
	return e;
}

} // namespace

TEST_CASE("The account cache keeps what was read until a change, and ignores a read older than the change", "[cache]")
{
	AccountCache cache;
	AccountCache::Generation before = 0;
	REQUIRE_FALSE(cache.account("acme", before));
	cache.putAccount(account("acme", "old"), before);
	AccountCache::Generation unused = 0;
	REQUIRE(cache.account("acme", unused));
	CHECK(cache.account("acme", unused)->name == "old");

	// A read that started before a change must not put the state it read.
	AccountCache::Generation stale = 0;
	REQUIRE_FALSE(cache.account("other", stale));
	cache.invalidate();
	cache.putAccount(account("other", "read before the change"), stale);
	AccountCache::Generation after = 0;
	CHECK_FALSE(cache.account("other", after));
	CHECK_FALSE(cache.account("acme", after));  // the change forgot everything

	cache.putAccount(account("other", "read after the change"), after);
	REQUIRE(cache.account("other", unused));
	CHECK(cache.account("other", unused)->name == "read after the change");
}

TEST_CASE("The account cache keeps no empty endpoint list (unknown accounts leave no trace)", "[cache]")
{
	AccountCache cache;
	AccountCache::Generation g = 0;
	REQUIRE_FALSE(cache.endpoints("nobody", g));
	cache.putEndpoints("nobody", {}, g);
	CHECK_FALSE(cache.endpoints("nobody", g));
	cache.putEndpoints("acme", {endpoint("acme", "ep_1", "http://127.0.0.1:9/a")}, g);
	AccountCache::Generation unused = 0;
	REQUIRE(cache.endpoints("acme", unused));
	CHECK(cache.endpoints("acme", unused)->size() == 1);
	std::optional<Endpoint> found;
	CHECK_FALSE(cache.findEndpoint("nobody", "ep_1", found, unused));
	REQUIRE(cache.findEndpoint("acme", "ep_1", found, unused));
	REQUIRE(found);
	CHECK(found->url == "http://127.0.0.1:9/a");
	REQUIRE(cache.findEndpoint("acme", "ep_2", found, unused));
	CHECK_FALSE(found);
}

TEST_CASE("A store reads every committed change of accounts and endpoints at once, also while other threads read them", "[cache][store]")
{
	Poco::TemporaryFile file;  // a file: readers have their own connection
	SQLiteStore::Options options;
	options.path = file.path();
	SQLiteStore store(options);
	REQUIRE(store.createAccount(account("acme", "v0")) == Store::CreateResult::Created);
	REQUIRE(store.createEndpoint(endpoint("acme", "ep_1", "http://127.0.0.1:9/v0"), 10) == Store::CreateResult::Created);

	std::atomic<bool> stop{false};
	std::vector<std::thread> readers;
	for (int i = 0; i < 3; ++i)
		readers.emplace_back([&] {
			while (!stop)
			{
				store.account("acme");
				store.endpoints("acme");
				store.endpoint("acme", "ep_1");
			}
		});
	for (int v = 1; v <= 50; ++v)
	{
		const std::string version = std::to_string(v);
		Account a = account("acme", "v" + version);
		REQUIRE(store.updateAccount(a));
		CHECK(store.account("acme")->name == "v" + version);
		REQUIRE(store.updateEndpoint(endpoint("acme", "ep_1", "http://127.0.0.1:9/v" + version)));
		CHECK(store.endpoint("acme", "ep_1")->url == "http://127.0.0.1:9/v" + version);
		CHECK(store.endpoints("acme").at(0).url == "http://127.0.0.1:9/v" + version);
	}
	REQUIRE(store.createEndpoint(endpoint("acme", "ep_2", "http://127.0.0.1:9/second"), 10) == Store::CreateResult::Created);
	CHECK(store.endpoints("acme").size() == 2);
	CHECK(store.account("acme")->endpointCount == 2);
	REQUIRE(store.deleteEndpoint("acme", "ep_1", 3000));
	CHECK_FALSE(store.endpoint("acme", "ep_1"));
	CHECK(store.account("acme")->endpointCount == 1);
	REQUIRE(store.deleteAccount("acme", 4000));
	CHECK_FALSE(store.account("acme"));
	CHECK(store.endpoints("acme").empty());
	stop = true;
	for (auto& t : readers) t.join();
	store.close();
}

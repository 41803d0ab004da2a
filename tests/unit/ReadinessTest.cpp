#include "FakeClock.h"
#include "gateway/core/Readiness.h"
#include "gateway/store/SQLiteStore.h"

#include <catch2/catch.hpp>

using namespace Hookgate;
using Hookgate::Test::FakeClock;

TEST_CASE("A store that can write is ready, and a failed write holds readiness back for a while", "[readiness]")
{
	SQLiteStore::Options options;
	options.path = ":memory:";
	SQLiteStore store(options);
	FakeClock clock;
	Readiness readiness(store, clock);

	CHECK(readiness.check().ready);
	CHECK(readiness.check().reason.empty());

	readiness.writeFailed("disk I/O error");
	const Readiness::State held = readiness.check();
	CHECK_FALSE(held.ready);
	CHECK(held.reason == "a write failed 0 ms ago: disk I/O error");

	clock.advance(Readiness::HOLD_AFTER_FAILURE - 1);
	CHECK_FALSE(readiness.check().ready);
	clock.advance(1);
	CHECK(readiness.check().ready);
}

TEST_CASE("A store that cannot write is not ready, with the store's reason", "[readiness]")
{
	SQLiteStore::Options options;
	options.path = ":memory:";
	SQLiteStore store(options);
	FakeClock clock;
	Readiness readiness(store, clock);
	REQUIRE(readiness.check().ready);

	store.close();
	clock.advance(Readiness::PROBE_INTERVAL);
	const Readiness::State state = readiness.check();
	CHECK_FALSE(state.ready);
	CHECK(state.reason.compare(0, 24, "the store cannot write: ") == 0);
}

#include "gateway/store/GroupCommit.h"

#include <Poco/Logger.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <functional>
#include <stdexcept>
#include <thread>

using namespace Hookgate;

namespace {

/// A batch runner that runs the jobs, "commits" (an fsync's worth of time, in which other
/// writes queue up) and then calls what the batch's jobs queued in afterCommit.
struct Recorder
{
	std::mutex mutex;
	std::vector<std::size_t> batchSizes;
	std::vector<std::function<void()>> afterCommit;  ///< filled by jobs while their batch runs
	std::atomic<int> running{0};
	std::atomic<bool> overlapped{false};

	void run(const std::vector<GroupCommit::Job*>& batch)
	{
		if (running.fetch_add(1) != 0) overlapped = true;
		for (auto* job : batch)
		{
			try
			{
				job->run();
			}
			catch (...)
			{
				job->error = std::current_exception();
			}
		}
		std::this_thread::sleep_for(std::chrono::microseconds(300));  // the commit
		std::lock_guard<std::mutex> lock(mutex);
		for (auto& committed : afterCommit) committed();
		afterCommit.clear();
		batchSizes.push_back(batch.size());
		running.fetch_sub(1);
	}
};

bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(20))
{
	const auto deadline = std::chrono::steady_clock::now() + limit;
	while (!condition())
	{
		if (std::chrono::steady_clock::now() > deadline) return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
	return true;
}

} // namespace

TEST_CASE("Concurrent writes share batches, one batch at a time, and each returns after its own batch", "[groupcommit]")
{
	Recorder recorder;
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"));
	const int threads = 8, perThread = 50;
	std::atomic<int> lateReturns{0};
	std::vector<std::thread> writers;
	for (int t = 0; t < threads; ++t)
		writers.emplace_back([&] {
			for (int i = 0; i < perThread; ++i)
			{
				bool committed = false;
				GroupCommit::Job job;
				job.run = [&] {
					std::lock_guard<std::mutex> lock(recorder.mutex);
					recorder.afterCommit.push_back([&committed] { committed = true; });
				};
				group.submit(&job);
				if (!committed || job.error) ++lateReturns;
			}
		});
	for (auto& w : writers) w.join();
	CHECK(lateReturns == 0);
	CHECK_FALSE(recorder.overlapped);
	std::size_t total = 0;
	for (auto n : recorder.batchSizes) total += n;
	CHECK(total == static_cast<std::size_t>(threads * perThread));
	CHECK(recorder.batchSizes.size() < total);  // some batches held several writes
}

TEST_CASE("A failing write gets its own error and the others in its batch do not", "[groupcommit]")
{
	Recorder recorder;
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"));
	std::vector<std::thread> writers;
	std::atomic<int> errors{0}, wrongErrors{0};
	for (int t = 0; t < 6; ++t)
		writers.emplace_back([&, t] {
			GroupCommit::Job job;
			job.run = [t] {
				if (t % 2 == 0) throw std::runtime_error("job " + std::to_string(t) + " failed");
			};
			group.submit(&job);
			if (job.error)
			{
				++errors;
				if (t % 2 != 0) ++wrongErrors;
			}
		});
	for (auto& w : writers) w.join();
	CHECK(errors == 3);
	CHECK(wrongErrors == 0);
}

TEST_CASE("Writes nobody waits for are committed by the flusher without another write, and at stop", "[groupcommit]")
{
	Recorder recorder;
	std::atomic<int> ran{0};
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"),
		std::chrono::milliseconds(2), 256);
	for (int i = 0; i < 20; ++i)
	{
		auto* job = new GroupCommit::Job;
		job->detached = true;
		job->run = [&] { ++ran; };
		group.submit(job);
	}
	CHECK(waitUntil([&] { return ran == 20; }));

	// A long flush delay: only stop() commits them.
	Recorder slow;
	std::atomic<int> slowRan{0};
	{
		GroupCommit later([&](const std::vector<GroupCommit::Job*>& b) { slow.run(b); }, Poco::Logger::get("test"),
			std::chrono::hours(1), 1000);
		for (int i = 0; i < 5; ++i)
		{
			auto* job = new GroupCommit::Job;
			job->detached = true;
			job->run = [&] { ++slowRan; };
			later.add(job);
		}
		CHECK(slowRan == 0);
		later.stop();
		CHECK(slowRan == 5);
	}
}

TEST_CASE("A write that waits takes the queued writes nobody waits for into its batch", "[groupcommit]")
{
	Recorder recorder;
	std::atomic<int> ran{0};
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"),
		std::chrono::hours(1), 1000);
	for (int i = 0; i < 5; ++i)
	{
		auto* job = new GroupCommit::Job;
		job->detached = true;
		job->run = [&] { ++ran; };
		group.add(job);
	}
	GroupCommit::Job waited;
	waited.run = [&] { ++ran; };
	group.submit(&waited);
	CHECK(ran == 6);
	REQUIRE(recorder.batchSizes.size() == 1);
	CHECK(recorder.batchSizes.front() == 6);
}

namespace {

/// A batch runner that numbers its batches and a syncer that records which batches each sync
/// covered; the syncer can be held until a condition holds, or fail once.
struct SyncRecorder
{
	std::atomic<int> batches{0};     ///< batches run ("committed")
	std::atomic<int> syncedUpTo{0};  ///< the last batch a finished sync covered
	std::atomic<int> syncs{0};
	std::atomic<int> syncing{0};
	std::atomic<bool> overlapped{false};
	std::function<void(int call)> duringSync;  ///< runs inside each sync

	void run(const std::vector<GroupCommit::Job*>& batch)
	{
		++batches;
		for (auto* job : batch)
		{
			try
			{
				job->run();
			}
			catch (...)
			{
				job->error = std::current_exception();
			}
		}
	}

	void sync()
	{
		if (syncing.fetch_add(1) != 0) overlapped = true;
		const int upTo = batches.load();
		const int call = ++syncs;
		struct Leave
		{
			std::atomic<int>& syncing;
			~Leave() { syncing.fetch_sub(1); }
		} leave{syncing};
		if (duringSync) duringSync(call);
		int seen = syncedUpTo.load();
		while (seen < upTo && !syncedUpTo.compare_exchange_weak(seen, upTo)) {}
	}
};

} // namespace

TEST_CASE("With a syncer each write returns only after a sync begun after its commit, one sync at a time", "[groupcommit]")
{
	SyncRecorder recorder;
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"));
	group.setSyncer([&] { recorder.sync(); });
	const int threads = 8, perThread = 50;
	std::atomic<int> early{0};
	std::vector<std::thread> writers;
	for (int t = 0; t < threads; ++t)
		writers.emplace_back([&] {
			for (int i = 0; i < perThread; ++i)
			{
				int batch = 0;
				GroupCommit::Job job;
				job.run = [&] { batch = recorder.batches.load(); };
				group.submit(&job);
				if (job.error || recorder.syncedUpTo.load() < batch) ++early;
			}
		});
	for (auto& w : writers) w.join();
	CHECK(early == 0);
	CHECK_FALSE(recorder.overlapped);
	CHECK(recorder.syncs > 0);
	CHECK(recorder.syncs <= recorder.batches);
}

TEST_CASE("The next batch commits while the batch before it is being synced, and one sync then covers both", "[groupcommit]")
{
	SyncRecorder recorder;
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"));
	std::atomic<bool> firstSyncStarted{false};
	std::atomic<bool> secondBatchDuringFirstSync{false};
	recorder.duringSync = [&](int call) {
		if (call != 1) return;
		firstSyncStarted = true;
		// Held until the second write's batch has run: without the hand-over before the sync it never does.
		secondBatchDuringFirstSync = waitUntil([&] { return recorder.batches >= 2; });
	};
	group.setSyncer([&] { recorder.sync(); });

	GroupCommit::Job first;
	first.run = [] {};
	std::thread firstWriter([&] { group.submit(&first); });
	REQUIRE(waitUntil([&] { return firstSyncStarted.load(); }));
	GroupCommit::Job second;
	second.run = [] {};
	group.submit(&second);  // commits during the first sync, then waits for a sync of its own
	firstWriter.join();
	CHECK(secondBatchDuringFirstSync);
	CHECK(recorder.syncs == 2);
	CHECK(recorder.syncedUpTo == 2);
	CHECK_FALSE(first.error);
	CHECK_FALSE(second.error);
}

TEST_CASE("A failed sync fails the writes it covered and every write that needs a sync after it", "[groupcommit]")
{
	SyncRecorder recorder;
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"));
	recorder.duringSync = [](int call) {
		if (call == 1) throw std::runtime_error("fsync: input/output error");
	};
	group.setSyncer([&] { recorder.sync(); });
	GroupCommit::Job lost;
	lost.run = [] {};
	group.submit(&lost);
	REQUIRE(lost.error);
	CHECK_THROWS_WITH(std::rethrow_exception(lost.error), "fsync: input/output error");
	// A later sync could succeed without the pages the failed one dropped: no more durable writes.
	GroupCommit::Job next;
	next.run = [] {};
	group.submit(&next);
	REQUIRE(next.error);
	CHECK_THROWS_WITH(std::rethrow_exception(next.error), "fsync: input/output error");
	CHECK(recorder.syncs == 1);
	GroupCommit::Job claim;
	claim.durable = false;
	claim.run = [] {};
	group.submit(&claim);
	CHECK_FALSE(claim.error);
}

TEST_CASE("A leader whose write needs no sync returns before the sync; the batch's write that needs it waits for it", "[groupcommit]")
{
	SyncRecorder recorder;
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"));
	std::atomic<bool> claimReturned{false}, returnedDuringSync{false};
	recorder.duringSync = [&](int) { returnedDuringSync = waitUntil([&] { return claimReturned.load(); }); };
	group.setSyncer([&] { recorder.sync(); });

	// A first batch holds the leader's role until the two writes below are queued behind it.
	std::atomic<bool> release{false};
	GroupCommit::Job blocker;
	blocker.durable = false;
	blocker.run = [&] { waitUntil([&] { return release.load(); }); };
	std::thread first([&] { group.submit(&blocker); });
	REQUIRE(waitUntil([&] { return recorder.batches == 1; }));
	GroupCommit::Job claim;  // queued first: it leads the next batch
	claim.durable = false;
	claim.run = [] {};
	std::thread scheduler([&] {
		group.submit(&claim);
		claimReturned = true;
	});
	REQUIRE(waitUntil([&] { return group.queued() == 1; }));
	GroupCommit::Job ingest;
	ingest.run = [] {};
	std::atomic<int> syncedWhenIngestReturned{0};
	std::thread writer([&] {
		group.submit(&ingest);
		syncedWhenIngestReturned = recorder.syncedUpTo.load();
	});
	REQUIRE(waitUntil([&] { return group.queued() == 2; }));
	release = true;
	first.join();
	scheduler.join();
	writer.join();
	CHECK(recorder.batches == 2);
	CHECK(recorder.syncs == 1);
	CHECK(returnedDuringSync);
	CHECK(syncedWhenIngestReturned == 2);
	CHECK_FALSE(claim.error);
	CHECK_FALSE(ingest.error);
}

TEST_CASE("Writes that need no sync are not synced: detached ones and those marked not durable", "[groupcommit]")
{
	SyncRecorder recorder;
	std::atomic<int> ran{0};
	GroupCommit group([&](const std::vector<GroupCommit::Job*>& b) { recorder.run(b); }, Poco::Logger::get("test"),
		std::chrono::milliseconds(2), 256);
	group.setSyncer([&] { recorder.sync(); });
	for (int i = 0; i < 10; ++i)
	{
		auto* job = new GroupCommit::Job;
		job->detached = true;
		job->run = [&] { ++ran; };
		group.submit(job);
	}
	CHECK(waitUntil([&] { return ran == 10; }));
	GroupCommit::Job claim;
	claim.durable = false;
	claim.run = [&] { ++ran; };
	group.submit(&claim);
	CHECK(ran == 11);
	CHECK(recorder.syncs == 0);
	GroupCommit::Job durable;
	durable.run = [&] { ++ran; };
	group.submit(&durable);
	CHECK(recorder.syncs == 1);
	CHECK(recorder.syncedUpTo == recorder.batches);
}

#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include "TestFailureListener.h"

#include <atomic>

namespace Hookgate {
namespace Test {

namespace {

std::atomic<bool> failed{false};

struct CatchListener: Catch::TestEventListenerBase
{
	using TestEventListenerBase::TestEventListenerBase;

	void testCaseStarting(const Catch::TestCaseInfo& info) override
	{
		TestEventListenerBase::testCaseStarting(info);
		TestFailureListener::reset();
	}

	bool assertionEnded(const Catch::AssertionStats& stats) override
	{
		if (!stats.assertionResult.isOk()) TestFailureListener::markFailed();
		return TestEventListenerBase::assertionEnded(stats);
	}
};

} // namespace

CATCH_REGISTER_LISTENER(CatchListener)

bool TestFailureListener::currentTestFailed()
{
	return failed.load();
}

void TestFailureListener::markFailed()
{
	failed = true;
}

void TestFailureListener::reset()
{
	failed = false;
}

} } // namespace Hookgate::Test

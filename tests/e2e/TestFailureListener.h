#pragma once

namespace Hookgate {
namespace Test {

/// A Catch2 listener that remembers whether an assertion of the running
/// test case has failed, so helpers (GatewayProcess) can print their logs
/// when a test fails.
class TestFailureListener
{
public:
	static bool currentTestFailed();
	static void markFailed();
	static void reset();
};

} } // namespace Hookgate::Test

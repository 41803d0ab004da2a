#pragma once

#include "gateway/core/Clock.h"

#include <atomic>

namespace Hookgate::Test {

/// A clock the test moves by hand.
class FakeClock : public Clock
{
public:
	explicit FakeClock(Millis start = 1'800'000'000'000LL): _now(start) {}

	Millis now() const override { return _now.load(); }
	void advance(Millis ms) { _now += ms; }
	void set(Millis ms) { _now = ms; }

private:
	std::atomic<Millis> _now;
};

} // namespace Hookgate::Test

#pragma once

#include "gateway/core/Clock.h"

namespace Hookgate {

/// The wall clock.
class SystemClock : public Clock
{
public:
	Millis now() const override;
};

} // namespace Hookgate

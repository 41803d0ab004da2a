#pragma once

#include "gateway/core/Model.h"

namespace Hookgate {

/// Where time comes from: injected, so retry and retention logic can be tested without sleeping.
class Clock
{
public:
	virtual ~Clock() = default;
	/// Milliseconds since the Unix epoch, UTC.
	virtual Millis now() const = 0;
};

} // namespace Hookgate

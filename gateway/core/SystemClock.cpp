#include "gateway/core/SystemClock.h"

#include <Poco/Timestamp.h>

namespace Hookgate {

Millis SystemClock::now() const
{
	return Poco::Timestamp().epochMicroseconds() / 1000;
}

} // namespace Hookgate

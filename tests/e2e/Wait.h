#pragma once

#include <Poco/Timespan.h>

#include <functional>

namespace Hookgate {
namespace Test {

/// Polls predicate every interval until it returns true or the deadline
/// (measured from the call) has passed. Returns the last value of predicate,
/// which is evaluated once more at the deadline. Exceptions thrown by the
/// predicate count as "not yet".
bool waitUntil(const std::function<bool()>& predicate,
	const Poco::Timespan& deadline,
	const Poco::Timespan& interval = Poco::Timespan(0, 25000));

} } // namespace Hookgate::Test

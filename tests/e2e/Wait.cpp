#include "Wait.h"

#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

#include <exception>

namespace Hookgate {
namespace Test {

namespace {

bool evaluate(const std::function<bool()>& predicate)
{
	try
	{
		return predicate();
	}
	catch (const std::exception&)
	{
		return false;
	}
}

} // namespace

bool waitUntil(const std::function<bool()>& predicate, const Poco::Timespan& deadline, const Poco::Timespan& interval)
{
	const Poco::Timestamp start;
	while (!start.isElapsed(deadline.totalMicroseconds()))
	{
		if (evaluate(predicate)) return true;
		Poco::Thread::sleep(static_cast<long>(interval.totalMilliseconds()));
	}
	return evaluate(predicate);
}

} } // namespace Hookgate::Test

#include "transports/GuardedTransport.h"

#include <Poco/Exception.h>
#include <Poco/Timestamp.h>

#include <exception>
#include <string>

namespace Hookgate {

DeliveryOutcome GuardedTransport::deliver(const DeliveryRequest& request)
{
	const Poco::Timestamp start;
	DeliveryOutcome outcome;
	try
	{
		deliverImpl(request, outcome);
	}
	catch (Poco::Exception& exc)
	{
		outcome.kind = DeliveryOutcome::Kind::Transient;
		outcome.error = "unexpected error: " + exc.displayText();
	}
	catch (std::exception& exc)
	{
		outcome.kind = DeliveryOutcome::Kind::Transient;
		outcome.error = std::string("unexpected error: ") + exc.what();
	}
	catch (...)
	{
		outcome.kind = DeliveryOutcome::Kind::Transient;
		outcome.error = "unexpected error";
	}
	outcome.duration = Poco::Timespan(start.elapsed());
	return outcome;
}

} // namespace Hookgate

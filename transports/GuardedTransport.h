#pragma once

#include "transports/Transport.h"

namespace Hookgate {

/// A Transport whose deliver() times the attempt and never throws: it runs
/// deliverImpl() and turns any exception that escapes it into a Transient
/// outcome with error "unexpected error: <text>" (or "unexpected error").
/// outcome.duration is the wall time of deliverImpl(), also on failure.
class GuardedTransport: public Transport
{
public:
	DeliveryOutcome deliver(const DeliveryRequest& request) override;

protected:
	virtual void deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome) = 0;
		/// One attempt: fills in everything but duration. Must be thread-safe.
};

} // namespace Hookgate

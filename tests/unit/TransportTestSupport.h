#pragma once

#include "transports/Transport.h"

#include <Poco/NumberFormatter.h>
#include <Poco/Types.h>

#include <string>

namespace Hookgate {
namespace Test {

/// Helpers shared by the transport tests (HTTP, SMTP, pickup).

inline std::string port(Poco::UInt16 number)
{
	return Poco::NumberFormatter::format(number);
}

inline const char* kindName(DeliveryOutcome::Kind kind)
{
	switch (kind)
	{
	case DeliveryOutcome::Kind::Succeeded: return "Succeeded";
	case DeliveryOutcome::Kind::Transient: return "Transient";
	case DeliveryOutcome::Kind::Permanent: return "Permanent";
	}
	return "?";
}

} // namespace Test
} // namespace Hookgate

/// Catch2 INFO with an outcome's kind, code, error and response body, shown when a later check fails.
#define OUTCOME_INFO(o) INFO("kind " << ::Hookgate::Test::kindName((o).kind) << ", code " << (o).responseCode << ", error: " << (o).error << ", response: " << (o).responseBody)

#include "gateway/core/Model.h"

namespace Hookgate {

const char* toString(DeliveryStatus status)
{
	switch (status)
	{
	case DeliveryStatus::Pending: return "pending";
	case DeliveryStatus::Succeeded: return "succeeded";
	case DeliveryStatus::Failed: return "failed";
	}
	return "pending";
}

std::optional<DeliveryStatus> parseDeliveryStatus(const std::string& text)
{
	if (text == "pending") return DeliveryStatus::Pending;
	if (text == "succeeded") return DeliveryStatus::Succeeded;
	if (text == "failed") return DeliveryStatus::Failed;
	return std::nullopt;
}

} // namespace Hookgate

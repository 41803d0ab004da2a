#pragma once

#include "gateway/core/Model.h"

#include <Poco/Types.h>

#include <string>
#include <vector>

namespace Hookgate {

/// How both stores keep model values in columns: a delivery's status as a number and an
/// endpoint's event types as one comma-separated text.
class StoreColumns
{
public:
	static int statusCode(DeliveryStatus status);
	static DeliveryStatus statusOf(Poco::Int64 code);
	static std::string joinTypes(const std::vector<std::string>& types);
	static std::vector<std::string> splitTypes(const std::string& text);
};

} // namespace Hookgate

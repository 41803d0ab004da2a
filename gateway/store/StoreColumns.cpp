#include "gateway/store/StoreColumns.h"

#include <Poco/StringTokenizer.h>

namespace Hookgate {

int StoreColumns::statusCode(DeliveryStatus status)
{
	switch (status)
	{
	case DeliveryStatus::Pending: return 0;
	case DeliveryStatus::Succeeded: return 1;
	case DeliveryStatus::Failed: return 2;
	}
	return 0;
}

DeliveryStatus StoreColumns::statusOf(Poco::Int64 code)
{
	return code == 1 ? DeliveryStatus::Succeeded : code == 2 ? DeliveryStatus::Failed : DeliveryStatus::Pending;
}

std::string StoreColumns::joinTypes(const std::vector<std::string>& types)
{
	std::string out;
	for (const auto& t : types)
	{
		if (!out.empty()) out += ',';
		out += t;
	}
	return out;
}

std::vector<std::string> StoreColumns::splitTypes(const std::string& text)
{
	std::vector<std::string> out;
	Poco::StringTokenizer tok(text, ",", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	for (const auto& t : tok) out.push_back(t);
	return out;
}

} // namespace Hookgate

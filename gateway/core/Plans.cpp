#include "gateway/core/Plans.h"

namespace Hookgate {

namespace {

const std::string ENTERPRISE = "enterprise";

} // namespace

const std::string Plans::DEFAULT = "basic";

const std::vector<std::pair<std::string, int>>& Plans::all()
{
	static const std::vector<std::pair<std::string, int>> plans = {
		{"basic", 1}, {"professional", 3}, {"business", 5}, {ENTERPRISE, 10}};
	return plans;
}

std::map<std::string, int> Plans::defaultLimits()
{
	return std::map<std::string, int>(all().begin(), all().end());
}

std::string Plans::names()
{
	std::string text;
	const auto& plans = all();
	for (std::size_t i = 0; i < plans.size(); ++i)
		text += (i == 0 ? "" : i + 1 == plans.size() ? " or " : ", ") + plans[i].first;
	return text;
}

bool Plans::includesEnterpriseEvents(const std::string& plan)
{
	return plan == ENTERPRISE;
}

} // namespace Hookgate

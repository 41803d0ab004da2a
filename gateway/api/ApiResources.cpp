#include "gateway/api/ApiResources.h"

#include <algorithm>

namespace Hookgate {

Account ApiResources::requireAccount(ApiContext& context, const std::string& id)
{
	auto account = context.store.account(id);
	if (!account) throw ApiError::notFound("account '" + id + "' not found");
	return *account;
}

Endpoint ApiResources::requireEndpoint(ApiContext& context, const std::string& accountId, const std::string& id)
{
	auto endpoint = context.store.endpoint(accountId, id);
	if (!endpoint) throw ApiError::notFound("endpoint '" + id + "' not found in account '" + accountId + "'");
	return *endpoint;
}

int ApiResources::endpointLimit(const ApiContext& context, const std::string& plan)
{
	const auto it = context.settings.planLimits.find(plan);
	return it == context.settings.planLimits.end() ? 0 : it->second;
}

void ApiResources::rejectUnknownFields(const Poco::JSON::Object& object, const std::vector<std::string>& allowed, const std::string& what)
{
	std::vector<std::string> names;
	object.getNames(names);
	for (const auto& name : names)
	{
		if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
		{
			std::string list;
			for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
			throw ApiError::validation("unknown field '" + name + "' in " + what + "; known fields: " + list);
		}
	}
}

std::string ApiResources::stringField(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::Dynamic::Var value = object.get(name);
	if (!value.isString()) throw ApiError::validation(name + ": expected a string");
	return value.extract<std::string>();
}

bool ApiResources::boolField(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::Dynamic::Var value = object.get(name);
	if (!value.isBoolean()) throw ApiError::validation(name + ": expected true or false");
	return value.extract<bool>();
}

} // namespace Hookgate

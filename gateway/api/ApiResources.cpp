#include "gateway/api/ApiResources.h"
#include "gateway/core/JsonFields.h"

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

void ApiResources::rejectUnknownFields(const Poco::JSON::Object& object, const std::vector<std::string>& allowed, const std::string& what)
{
	JsonFields::rejectUnknown(object, allowed, what);
}

std::string ApiResources::stringField(const Poco::JSON::Object& object, const std::string& name)
{
	return JsonFields::string(object, name);
}

bool ApiResources::boolField(const Poco::JSON::Object& object, const std::string& name)
{
	return JsonFields::boolean(object, name);
}

} // namespace Hookgate

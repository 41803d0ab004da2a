#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// Shared steps of the resource handlers.
class ApiResources
{
public:
	/// The account or 404.
	static Account requireAccount(ApiContext& context, const std::string& id);
	/// The endpoint of the account or 404.
	static Endpoint requireEndpoint(ApiContext& context, const std::string& accountId, const std::string& id);
	/// Fails with 422 naming the field if `object` has members other than `allowed`.
	static void rejectUnknownFields(const Poco::JSON::Object& object, const std::vector<std::string>& allowed, const std::string& what);
	static std::string stringField(const Poco::JSON::Object& object, const std::string& name);
	static bool boolField(const Poco::JSON::Object& object, const std::string& name);
};

} // namespace Hookgate

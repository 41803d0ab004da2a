#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// /api/v1/accounts/{account}/endpoints[/{endpoint}[/stats|/secret|/secret/rotate]].
class EndpointsResource
{
public:
	explicit EndpointsResource(ApiContext& context): _context(context) {}

	void list(ApiExchange& exchange, const std::string& accountId);
	void create(ApiExchange& exchange, const std::string& accountId);
	void get(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	void patch(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	void remove(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	void stats(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	void secret(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	void rotateSecret(ApiExchange& exchange, const std::string& accountId, const std::string& id);

private:
	ApiContext& _context;
};

} // namespace Hookgate

#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// /api/v1/accounts and /api/v1/accounts/{account}.
class AccountsResource
{
public:
	explicit AccountsResource(ApiContext& context): _context(context) {}

	void list(ApiExchange& exchange);
	void create(ApiExchange& exchange);
	void get(ApiExchange& exchange, const std::string& id);
	/// An account token may change name and webhooksEnabled, not the plan.
	void patch(ApiExchange& exchange, const std::string& id, bool admin);
	/// Issues an account token; it is shown this once.
	void createToken(ApiExchange& exchange, const std::string& id);
	void remove(ApiExchange& exchange, const std::string& id);

private:
	ApiContext& _context;
};

} // namespace Hookgate

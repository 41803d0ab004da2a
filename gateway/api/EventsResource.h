#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// POST /api/v1/accounts/{account}/events: validate, store durably with its deliveries, then answer.
class EventsResource
{
public:
	explicit EventsResource(ApiContext& context): _context(context) {}

	void ingest(ApiExchange& exchange, const std::string& accountId);

	/// Empty if `key` is a valid idempotency key (1-128 printable ASCII, no '.'), else why not.
	static std::string checkIdempotencyKey(const std::string& key);

private:
	ApiContext& _context;
};

} // namespace Hookgate

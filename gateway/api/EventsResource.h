#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// POST /api/v1/accounts/{account}/events: reads the body for IngestService, which validates and
/// stores the event durably with its deliveries; then answers.
class EventsResource
{
public:
	explicit EventsResource(ApiContext& context): _context(context) {}

	void ingest(ApiExchange& exchange, const std::string& accountId);

private:
	ApiContext& _context;
};

} // namespace Hookgate

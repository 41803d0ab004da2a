#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// GET /api/v1/accounts/{account}/endpoint-options (an extension of docs/api.md): what an endpoint
/// of this account can choose, so that clients such as the dashboard need no copy of it:
///
///     {"eventTypes": [{"type": "appointment.booking.created", "enterpriseOnly": false, "available": true}, ...],
///      "hierarchies": ["nested", "flat", "template:booking-summary", ...],
///      "defaults": {"maxInFlight": 8, "rateLimit": null}}
///
/// `eventTypes` is the catalog (with the types declared in hookgate.events.types), sorted;
/// `available` is false for enterprise-only types when the account's plan is another.
/// `hierarchies` lists nested, flat and one `template:<name>` per file in templates/hierarchy/.
/// `defaults` says what an endpoint's null `maxInFlight` and `rateLimit` stand for here
/// (hookgate.delivery.maxInFlight; no rate limit).
class EndpointOptionsResource
{
public:
	explicit EndpointOptionsResource(ApiContext& context): _context(context) {}

	void get(ApiExchange& exchange, const std::string& accountId);

private:
	ApiContext& _context;
};

} // namespace Hookgate

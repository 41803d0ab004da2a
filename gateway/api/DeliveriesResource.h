#pragma once

#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiExchange.h"

namespace Hookgate {

/// The log: an endpoint's deliveries (paged, newest first) and one delivery with its attempts.
class DeliveriesResource
{
public:
	explicit DeliveriesResource(ApiContext& context): _context(context) {}

	void list(ApiExchange& exchange, const std::string& accountId, const std::string& endpointId);
	void get(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	/// The exact bytes sent (raw), or the same as a file (download); 410 once archived.
	void raw(ApiExchange& exchange, const std::string& accountId, const std::string& id, bool download);
	/// A new delivery of the same bytes, labelled "replay"; 410 once archived.
	void replay(ApiExchange& exchange, const std::string& accountId, const std::string& id);
	/// Replays the endpoint's failed deliveries created in a time window (after an outage).
	void recover(ApiExchange& exchange, const std::string& accountId, const std::string& endpointId);

private:
	ApiContext& _context;
};

} // namespace Hookgate

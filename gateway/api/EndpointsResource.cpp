#include "gateway/api/EndpointsResource.h"
#include "gateway/core/Iso8601.h"
#include "gateway/api/ApiResources.h"
#include "gateway/api/ApiViews.h"

#include <Poco/JSON/Array.h>

namespace Hookgate {

void EndpointsResource::list(ApiExchange& exchange, const std::string& accountId)
{
	ApiResources::requireAccount(_context, accountId);
	Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
	for (const auto& e : _context.store.endpoints(accountId))
		items->add(ApiViews::endpoint(e, _context.store.stats(e.id, 0), false));
	auto o = ApiExchange::object();
	o->set("items", items);
	exchange.sendJson(200, *o);
}

void EndpointsResource::create(ApiExchange& exchange, const std::string& accountId)
{
	const Account account = ApiResources::requireAccount(_context, accountId);
	const Endpoint endpoint = _context.endpoints.create(account, *exchange.jsonObject());
	exchange.sendJson(201, *ApiViews::endpoint(endpoint, EndpointStats{}, true));
}

void EndpointsResource::get(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	const Endpoint endpoint = ApiResources::requireEndpoint(_context, accountId, id);
	exchange.sendJson(200, *ApiViews::endpoint(endpoint, _context.store.stats(endpoint.id, 0), false));
}

void EndpointsResource::patch(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	const Account account = ApiResources::requireAccount(_context, accountId);
	ApiResources::requireEndpoint(_context, accountId, id);  // 404 before the body is read
	const Endpoint endpoint = _context.endpoints.update(account, id, *exchange.jsonObject());
	exchange.sendJson(200, *ApiViews::endpoint(endpoint, _context.store.stats(endpoint.id, 0), false));
}

void EndpointsResource::remove(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	_context.endpoints.remove(accountId, id);
	exchange.sendNoContent();
}

void EndpointsResource::stats(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	const Endpoint endpoint = ApiResources::requireEndpoint(_context, accountId, id);
	Millis since = 0;
	if (exchange.hasQuery("since"))
	{
		try
		{
			since = Iso8601::parse(exchange.query("since"));
		}
		catch (const Poco::SyntaxException& e)
		{
			throw ApiError::validation("since: " + e.message());
		}
	}
	exchange.sendJson(200, *ApiViews::stats(_context.store.stats(endpoint.id, since)));
}

void EndpointsResource::secret(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	const Endpoint endpoint = ApiResources::requireEndpoint(_context, accountId, id);
	auto o = ApiExchange::object();
	o->set("secret", endpoint.secret);
	exchange.sendJson(200, *o);
}

void EndpointsResource::rotateSecret(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	const Endpoint endpoint = _context.endpoints.rotateSecret(accountId, id);
	auto o = ApiExchange::object();
	o->set("secret", endpoint.secret);
	exchange.sendJson(200, *o);
}

} // namespace Hookgate

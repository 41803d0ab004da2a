#include "gateway/api/EndpointsResource.h"
#include "gateway/core/Ids.h"
#include "gateway/core/Iso8601.h"
#include "gateway/api/ApiResources.h"
#include "gateway/core/EndpointRules.h"
#include "gateway/api/ApiViews.h"
#include "transports/WebhookSignature.h"

#include <Poco/Format.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>

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
	auto body = exchange.jsonObject();
	Endpoint endpoint;
	endpoint.accountId = accountId;
	EndpointRules(_context.catalog, _context.payloadBuilder, _context.settings.allowPrivateDestinations).apply(*body, endpoint, account);
	endpoint.id = Ids::make("ep_");
	endpoint.secret = WebhookSignature::generateSecret();
	endpoint.createdAt = _context.clock.now();
	const int limit = ApiResources::endpointLimit(_context, account.plan);
	switch (_context.store.createEndpoint(endpoint, limit))
	{
	case Store::CreateResult::LimitReached:
	{
		const int count = _context.store.account(accountId) ? _context.store.account(accountId)->endpointCount : limit;
		throw ApiError(409, "plan_limit_reached",
			Poco::format("plan '%s' allows %d endpoint(s); account '%s' has %d", account.plan, limit, accountId, count));
	}
	case Store::CreateResult::AlreadyExists:
		throw ApiError(409, "conflict", "endpoint '" + endpoint.id + "' already exists");
	case Store::CreateResult::Created:
		break;
	}
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
	Endpoint endpoint = ApiResources::requireEndpoint(_context, accountId, id);
	auto body = exchange.jsonObject();
	EndpointRules(_context.catalog, _context.payloadBuilder, _context.settings.allowPrivateDestinations).apply(*body, endpoint, account);
	if (!_context.store.updateEndpoint(endpoint)) throw ApiError::notFound("endpoint '" + id + "' not found in account '" + accountId + "'");
	_context.wakeDispatcher();
	exchange.sendJson(200, *ApiViews::endpoint(endpoint, _context.store.stats(endpoint.id, 0), false));
}

void EndpointsResource::remove(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	if (!_context.store.deleteEndpoint(accountId, id, _context.clock.now()))
		throw ApiError::notFound("endpoint '" + id + "' not found in account '" + accountId + "'");
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
	Endpoint endpoint = ApiResources::requireEndpoint(_context, accountId, id);
	endpoint.previousSecret = endpoint.secret;
	endpoint.previousSecretUntil = _context.clock.now() + 24 * 3600 * 1000LL;
	endpoint.secret = WebhookSignature::generateSecret();
	if (!_context.store.updateEndpoint(endpoint)) throw ApiError::notFound("endpoint '" + id + "' not found in account '" + accountId + "'");
	auto o = ApiExchange::object();
	o->set("secret", endpoint.secret);
	exchange.sendJson(200, *o);
}

} // namespace Hookgate

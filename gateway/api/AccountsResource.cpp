#include "gateway/api/AccountsResource.h"
#include "gateway/api/ApiResources.h"
#include "gateway/api/ApiViews.h"

#include <Poco/JSON/Array.h>

namespace Hookgate {

void AccountsResource::list(ApiExchange& exchange)
{
	Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
	for (const auto& a : _context.store.accounts()) items->add(ApiViews::account(a, _context.accounts.limit(a.plan)));
	auto o = ApiExchange::object();
	o->set("items", items);
	exchange.sendJson(200, *o);
}

void AccountsResource::create(ApiExchange& exchange)
{
	const Account account = _context.accounts.create(*exchange.jsonObject());
	exchange.sendJson(201, *ApiViews::account(account, _context.accounts.limit(account.plan)));
}

void AccountsResource::get(ApiExchange& exchange, const std::string& id)
{
	const Account account = ApiResources::requireAccount(_context, id);
	exchange.sendJson(200, *ApiViews::account(account, _context.accounts.limit(account.plan)));
}

void AccountsResource::patch(ApiExchange& exchange, const std::string& id, bool admin)
{
	ApiResources::requireAccount(_context, id);  // 404 before the body is read
	const Account account = _context.accounts.update(id, *exchange.jsonObject(), admin);
	exchange.sendJson(200, *ApiViews::account(account, _context.accounts.limit(account.plan)));
}

void AccountsResource::createToken(ApiExchange& exchange, const std::string& id)
{
	ApiResources::requireAccount(_context, id);
	const std::string token = _context.accounts.issueToken(id);
	auto o = ApiExchange::object();
	o->set("token", token);
	o->set("accountId", id);
	exchange.sendJson(201, *o);
}

void AccountsResource::remove(ApiExchange& exchange, const std::string& id)
{
	_context.accounts.remove(id);
	exchange.sendNoContent();
}

} // namespace Hookgate

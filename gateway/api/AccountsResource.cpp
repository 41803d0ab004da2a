#include "gateway/api/AccountsResource.h"
#include "gateway/core/AccountRules.h"
#include "gateway/core/AccountTokens.h"
#include "gateway/core/Plans.h"
#include "gateway/api/ApiResources.h"
#include "gateway/api/ApiViews.h"

#include <Poco/Format.h>
#include <Poco/JSON/Array.h>

namespace Hookgate {

std::string AccountsResource::checkedPlan(const Poco::JSON::Object& body) const
{
	const std::string plan = ApiResources::stringField(body, "plan");
	if (_context.settings.planLimits.count(plan) == 0)
		throw ApiError::validation("plan: '" + plan + "' is not a plan; expected " + Plans::names());
	return plan;
}

void AccountsResource::list(ApiExchange& exchange)
{
	Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
	for (const auto& a : _context.store.accounts()) items->add(ApiViews::account(a, ApiResources::endpointLimit(_context, a.plan)));
	auto o = ApiExchange::object();
	o->set("items", items);
	exchange.sendJson(200, *o);
}

void AccountsResource::create(ApiExchange& exchange)
{
	auto body = exchange.jsonObject();
	ApiResources::rejectUnknownFields(*body, {"id", "name", "plan", "webhooksEnabled"}, "account");
	if (!body->has("id")) throw ApiError::validation("id: required");
	Account account;
	account.id = ApiResources::stringField(*body, "id");
	if (auto why = AccountRules::checkId(account.id); !why.empty()) throw ApiError::validation(why);
	account.name = body->has("name") ? ApiResources::stringField(*body, "name") : account.id;
	if (auto why = AccountRules::checkName(account.name); !why.empty()) throw ApiError::validation(why);
	account.plan = body->has("plan") ? checkedPlan(*body) : Plans::DEFAULT;
	account.webhooksEnabled = body->has("webhooksEnabled") && ApiResources::boolField(*body, "webhooksEnabled");
	account.createdAt = _context.clock.now();
	if (_context.store.createAccount(account) == Store::CreateResult::AlreadyExists)
		throw ApiError(409, "conflict", "account '" + account.id + "' already exists");
	exchange.sendJson(201, *ApiViews::account(account, ApiResources::endpointLimit(_context, account.plan)));
}

void AccountsResource::get(ApiExchange& exchange, const std::string& id)
{
	const Account account = ApiResources::requireAccount(_context, id);
	exchange.sendJson(200, *ApiViews::account(account, ApiResources::endpointLimit(_context, account.plan)));
}

void AccountsResource::patch(ApiExchange& exchange, const std::string& id, bool admin)
{
	Account account = ApiResources::requireAccount(_context, id);
	auto body = exchange.jsonObject();
	ApiResources::rejectUnknownFields(*body, {"name", "plan", "webhooksEnabled"}, "account update");
	if (body->has("name"))
	{
		account.name = ApiResources::stringField(*body, "name");
		if (auto why = AccountRules::checkName(account.name); !why.empty()) throw ApiError::validation(why);
	}
	if (body->has("plan"))
	{
		if (!admin) throw ApiError(403, "forbidden", "plan: only the admin may change an account's plan");
		const std::string plan = checkedPlan(*body);
		const int limit = ApiResources::endpointLimit(_context, plan);
		if (account.endpointCount > limit)
			throw ApiError(409, "plan_limit_reached",
				Poco::format("plan '%s' allows %d endpoint(s); account '%s' has %d", plan, limit, account.id, account.endpointCount));
		account.plan = plan;
	}
	if (body->has("webhooksEnabled")) account.webhooksEnabled = ApiResources::boolField(*body, "webhooksEnabled");
	if (!_context.store.updateAccount(account)) throw ApiError::notFound("account '" + id + "' not found");
	if (account.webhooksEnabled) _context.wakeDispatcher();
	exchange.sendJson(200, *ApiViews::account(account, ApiResources::endpointLimit(_context, account.plan)));
}

void AccountsResource::createToken(ApiExchange& exchange, const std::string& id)
{
	ApiResources::requireAccount(_context, id);
	const std::string token = AccountTokens::generate();
	_context.store.addToken(id, AccountTokens::hash(token), _context.clock.now());
	auto o = ApiExchange::object();
	o->set("token", token);
	o->set("accountId", id);
	exchange.sendJson(201, *o);
}

void AccountsResource::remove(ApiExchange& exchange, const std::string& id)
{
	if (!_context.store.deleteAccount(id, _context.clock.now())) throw ApiError::notFound("account '" + id + "' not found");
	exchange.sendNoContent();
}

} // namespace Hookgate

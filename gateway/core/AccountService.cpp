#include "gateway/core/AccountService.h"
#include "gateway/core/AccountRules.h"
#include "gateway/core/AccountTokens.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/JsonFields.h"
#include "gateway/core/Plans.h"

#include <Poco/Format.h>

namespace Hookgate {

namespace {

DomainError notFound(const std::string& id)
{
	return DomainError(DomainError::Code::NotFound, "", "account '" + id + "' not found");
}

void check(const std::string& field, const std::string& why)
{
	if (!why.empty()) throw DomainError(DomainError::Code::ValidationFailed, field, why);
}

} // namespace

AccountService::AccountService(Store& store, const Clock& clock, std::map<std::string, int> planLimits,
	std::function<void()> wakeDispatcher):
	_store(store),
	_clock(clock),
	_planLimits(std::move(planLimits)),
	_wakeDispatcher(std::move(wakeDispatcher))
{
}

Account AccountService::create(const Poco::JSON::Object& fields)
{
	JsonFields::rejectUnknown(fields, {"id", "name", "plan", "webhooksEnabled"}, "account");
	if (!fields.has("id")) throw DomainError::invalid("id", "required");
	Account account;
	account.id = JsonFields::string(fields, "id");
	check("id", AccountRules::checkId(account.id));
	account.name = account.id;
	account.plan = Plans::DEFAULT;
	account.createdAt = _clock.now();
	Poco::JSON::Object changes(fields);
	changes.remove("id");
	apply(account, changes, true);
	if (_store.createAccount(account) == Store::CreateResult::AlreadyExists)
		throw DomainError(DomainError::Code::Conflict, "", "account '" + account.id + "' already exists");
	return account;
}

Account AccountService::update(const std::string& id, const Poco::JSON::Object& fields, bool mayChangePlan)
{
	Account account = require(id);
	JsonFields::rejectUnknown(fields, {"name", "plan", "webhooksEnabled"}, "account update");
	apply(account, fields, mayChangePlan);
	if (!_store.updateAccount(account)) throw notFound(id);
	if (account.webhooksEnabled && _wakeDispatcher) _wakeDispatcher();
	return account;
}

Account AccountService::declare(const std::string& id, const Poco::JSON::Object& fields)
{
	check("id", AccountRules::checkId(id));
	if (_store.account(id)) return update(id, fields, true);
	Poco::JSON::Object withId(fields);
	withId.set("id", id);
	return create(withId);
}

void AccountService::remove(const std::string& id)
{
	if (!_store.deleteAccount(id, _clock.now())) throw notFound(id);
}

std::string AccountService::issueToken(const std::string& id)
{
	require(id);
	const std::string token = AccountTokens::generate();
	_store.addToken(id, AccountTokens::hash(token), _clock.now());
	return token;
}

Account AccountService::require(const std::string& id)
{
	auto account = _store.account(id);
	if (!account) throw notFound(id);
	return *account;
}

int AccountService::limit(const std::string& plan) const
{
	const auto it = _planLimits.find(plan);
	return it == _planLimits.end() ? 0 : it->second;
}

void AccountService::apply(Account& account, const Poco::JSON::Object& fields, bool mayChangePlan) const
{
	if (fields.has("name"))
	{
		account.name = JsonFields::string(fields, "name");
		check("name", AccountRules::checkName(account.name));
	}
	if (fields.has("plan"))
	{
		if (!mayChangePlan)
			throw DomainError(DomainError::Code::Forbidden, "plan", "plan: only the admin may change an account's plan");
		const std::string plan = checkedPlan(fields);
		const int planLimit = limit(plan);
		if (account.endpointCount > planLimit)
			throw DomainError(DomainError::Code::PlanLimitReached, "plan",
				Poco::format("plan '%s' allows %d endpoint(s); account '%s' has %d", plan, planLimit, account.id, account.endpointCount));
		account.plan = plan;
	}
	if (fields.has("webhooksEnabled")) account.webhooksEnabled = JsonFields::boolean(fields, "webhooksEnabled");
}

std::string AccountService::checkedPlan(const Poco::JSON::Object& fields) const
{
	const std::string plan = JsonFields::string(fields, "plan");
	if (_planLimits.count(plan) == 0)
		throw DomainError::invalid("plan", "'" + plan + "' is not a plan; expected " + Plans::names());
	return plan;
}

} // namespace Hookgate

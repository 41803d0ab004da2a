#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/Model.h"
#include "gateway/core/Store.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <string>

namespace Hookgate {

/// Accounts (docs/api.md "Accounts"): created, changed (the plan only where the caller may, and
/// never below the endpoints the account has), declared in the properties file, removed, and
/// given tokens. Refusals are DomainErrors (ValidationFailed naming the field, Forbidden,
/// PlanLimitReached, Conflict, NotFound).
class AccountService
{
public:
	AccountService(Store& store, const Clock& clock, std::map<std::string, int> planLimits,
		std::function<void()> wakeDispatcher);

	/// A new account from `fields` (id required; name, plan, webhooksEnabled).
	Account create(const Poco::JSON::Object& fields);
	/// The account with `fields` (name, plan, webhooksEnabled) changed; switching webhooks on
	/// wakes the dispatcher.
	Account update(const std::string& id, const Poco::JSON::Object& fields, bool mayChangePlan);
	/// The account `id` of the properties file, created with the defaults or brought to `fields`.
	Account declare(const std::string& id, const Poco::JSON::Object& fields);
	void remove(const std::string& id);
	/// A new account token, shown this once; the store keeps its hash.
	std::string issueToken(const std::string& id);

	/// The account, or NotFound.
	Account require(const std::string& id);
	/// The endpoint limit of `plan` (0 for a plan that has none).
	int limit(const std::string& plan) const;

private:
	void apply(Account& account, const Poco::JSON::Object& fields, bool mayChangePlan) const;
	std::string checkedPlan(const Poco::JSON::Object& fields) const;

	Store& _store;
	const Clock& _clock;
	std::map<std::string, int> _planLimits;
	std::function<void()> _wakeDispatcher;
};

} // namespace Hookgate

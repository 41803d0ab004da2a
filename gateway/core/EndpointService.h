#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/EndpointRules.h"
#include "gateway/core/Model.h"
#include "gateway/core/Store.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace Hookgate {

/// An account's endpoints (docs/api.md "Endpoints"): created, changed, declared in the
/// properties file, rotated and removed under the rules of EndpointRules and the endpoint limit
/// of the account's plan. Refusals are DomainErrors (ValidationFailed naming the field,
/// PlanFeatureUnavailable, PlanLimitReached, NotFound, Conflict).
class EndpointService
{
public:
	struct Options
	{
		std::map<std::string, int> planLimits;  ///< endpoints per plan
		bool allowPrivateDestinations = false;
	};

	EndpointService(Store& store, const EventCatalog& catalog, const PayloadBuilder& payloads, const Clock& clock,
		Options options, std::function<void()> wakeDispatcher);

	/// A new endpoint of `account` from the fields of `fields`, with a new id and signing secret.
	Endpoint create(const Account& account, const Poco::JSON::Object& fields);
	/// The endpoint with the fields of `fields` changed; the dispatcher is woken (a limit or
	/// the enabled switch may release deliveries).
	Endpoint update(const Account& account, const std::string& id, const Poco::JSON::Object& fields);
	/// The endpoint `id` of the properties file, created or brought to `fields`. Its secret is
	/// `secret` when given, else the one it has, else a new one. A host that does not resolve
	/// now is accepted (checked again at send time), so a DNS outage at boot stops nothing.
	Endpoint declare(const Account& account, const std::string& id, const Poco::JSON::Object& fields,
		const std::optional<std::string>& secret);
	/// A new signing secret; the previous one keeps signing beside it for 24 h.
	Endpoint rotateSecret(const std::string& accountId, const std::string& id);
	void remove(const std::string& accountId, const std::string& id);

	/// The endpoint of the account, or NotFound.
	Endpoint require(const std::string& accountId, const std::string& id);
	/// The endpoint limit of `plan` (0 for a plan that has none).
	int limit(const std::string& plan) const;

	/// How long a rotated-out secret keeps signing.
	static constexpr Millis PREVIOUS_SECRET_OVERLAP = 24 * 3600 * 1000LL;

private:
	void checkCreated(Store::CreateResult result, const Account& account, const Endpoint& endpoint, int limit);
	static DomainError notFound(const std::string& accountId, const std::string& id);

	Store& _store;
	const Clock& _clock;
	Options _options;
	EndpointRules _rules;
	EndpointRules _declarationRules;
	std::function<void()> _wakeDispatcher;
};

} // namespace Hookgate

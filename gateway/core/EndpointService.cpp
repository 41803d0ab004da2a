#include "gateway/core/EndpointService.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/Ids.h"
#include "transports/WebhookSignature.h"

#include <Poco/Exception.h>
#include <Poco/Format.h>

namespace Hookgate {

EndpointService::EndpointService(Store& store, const EventCatalog& catalog, const PayloadBuilder& payloads, const Clock& clock,
	Options options, std::function<void()> wakeDispatcher):
	_store(store),
	_clock(clock),
	_options(std::move(options)),
	_rules(catalog, payloads, _options.allowPrivateDestinations),
	_declarationRules(catalog, payloads, _options.allowPrivateDestinations, false),
	_wakeDispatcher(std::move(wakeDispatcher))
{
}

Endpoint EndpointService::create(const Account& account, const Poco::JSON::Object& fields)
{
	Endpoint endpoint;
	endpoint.accountId = account.id;
	_rules.apply(fields, endpoint, account);
	endpoint.id = Ids::make("ep_");
	endpoint.secret = WebhookSignature::generateSecret();
	endpoint.createdAt = _clock.now();
	const int plan = limit(account.plan);
	checkCreated(_store.createEndpoint(endpoint, plan), account, endpoint, plan);
	return endpoint;
}

Endpoint EndpointService::update(const Account& account, const std::string& id, const Poco::JSON::Object& fields)
{
	Endpoint endpoint = require(account.id, id);
	_rules.apply(fields, endpoint, account);
	if (!_store.updateEndpoint(endpoint)) throw notFound(account.id, id);
	if (_wakeDispatcher) _wakeDispatcher();
	return endpoint;
}

Endpoint EndpointService::declare(const Account& account, const std::string& id, const Poco::JSON::Object& fields,
	const std::optional<std::string>& secret)
{
	Endpoint endpoint;
	endpoint.id = id;
	endpoint.accountId = account.id;
	_declarationRules.apply(fields, endpoint, account);
	const auto current = _store.endpoint(account.id, id);
	endpoint.createdAt = current ? current->createdAt : _clock.now();
	if (secret)
	{
		try
		{
			WebhookSignature::decodeSecret(*secret);
		}
		catch (const Poco::Exception& e)
		{
			throw DomainError::invalid("secret", "expected whsec_ and base64 (" + e.message() + ")");
		}
		endpoint.secret = *secret;
	}
	else
	{
		endpoint.secret = current ? current->secret : WebhookSignature::generateSecret();
	}
	const int plan = limit(account.plan);
	checkCreated(_store.upsertEndpoint(endpoint, plan), account, endpoint, plan);
	return endpoint;
}

Endpoint EndpointService::rotateSecret(const std::string& accountId, const std::string& id)
{
	Endpoint endpoint = require(accountId, id);
	endpoint.previousSecret = endpoint.secret;
	endpoint.previousSecretUntil = _clock.now() + PREVIOUS_SECRET_OVERLAP;
	endpoint.secret = WebhookSignature::generateSecret();
	if (!_store.updateEndpoint(endpoint)) throw notFound(accountId, id);
	return endpoint;
}

void EndpointService::remove(const std::string& accountId, const std::string& id)
{
	if (!_store.deleteEndpoint(accountId, id, _clock.now())) throw notFound(accountId, id);
}

Endpoint EndpointService::require(const std::string& accountId, const std::string& id)
{
	auto endpoint = _store.endpoint(accountId, id);
	if (!endpoint) throw notFound(accountId, id);
	return *endpoint;
}

int EndpointService::limit(const std::string& plan) const
{
	const auto it = _options.planLimits.find(plan);
	return it == _options.planLimits.end() ? 0 : it->second;
}

void EndpointService::checkCreated(Store::CreateResult result, const Account& account, const Endpoint& endpoint, int limit)
{
	switch (result)
	{
	case Store::CreateResult::LimitReached:
	{
		const auto now = _store.account(account.id);
		throw DomainError(DomainError::Code::PlanLimitReached, "",
			Poco::format("plan '%s' allows %d endpoint(s); account '%s' has %d", account.plan, limit, account.id,
				now ? now->endpointCount : limit));
	}
	case Store::CreateResult::AlreadyExists:
		throw DomainError(DomainError::Code::Conflict, "", "endpoint '" + endpoint.id + "' already exists");
	case Store::CreateResult::Created:
		break;
	}
}

DomainError EndpointService::notFound(const std::string& accountId, const std::string& id)
{
	return DomainError(DomainError::Code::NotFound, "", "endpoint '" + id + "' not found in account '" + accountId + "'");
}

} // namespace Hookgate

#include "gateway/config/DeclaredAccounts.h"
#include "gateway/core/AccountRules.h"
#include "gateway/core/AccountService.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/EndpointRules.h"
#include "gateway/core/EndpointService.h"

#include <Poco/Format.h>
#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>

namespace Hookgate {

namespace {

const std::string ROOT = "hookgate.accounts";

class Declarations
{
public:
	explicit Declarations(const Poco::Util::AbstractConfiguration& config): _config(config) {}

	std::vector<std::string> keys(const std::string& key) const
	{
		Poco::Util::AbstractConfiguration::Keys keys;
		_config.keys(key, keys);
		return keys;
	}

	bool has(const std::string& key) const { return _config.hasProperty(key); }

	std::string value(const std::string& key) const
	{
		return Settings::expandEnvironment(key, Poco::trim(_config.getString(key)));
	}

	bool boolean(const std::string& key) const
	{
		const std::string v = Poco::toLower(value(key));
		if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
		if (v == "false" || v == "no" || v == "off" || v == "0") return false;
		throw ConfigException(key + " = '" + v + "': expected true or false");
	}

	/// A number for the rules: digits as an integer, empty or `null` as null (the default);
	/// any other text as it is, which the rules refuse naming it.
	Poco::Dynamic::Var integer(const std::string& key) const
	{
		const std::string v = value(key);
		if (v.empty() || v == "null") return Poco::Dynamic::Var();
		Poco::Int64 n = 0;
		if (Poco::NumberParser::tryParse64(v, n)) return n;
		return v;
	}

	/// Fails naming the first key under `prefix` that is not one of `allowed`.
	void rejectUnknown(const std::string& prefix, const std::vector<std::string>& allowed) const
	{
		for (const auto& k : keys(prefix))
		{
			if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
			{
				std::string list;
				for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
				throw ConfigException(prefix + "." + k + ": unknown key; expected one of " + list);
			}
		}
	}

private:
	const Poco::Util::AbstractConfiguration& _config;
};

void checkName(const std::string& key, const std::string& name)
{
	if (name.empty() || name.size() > 40)
		throw ConfigException(key + ": an endpoint name needs 1 to 40 characters");
	for (char c : name)
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			throw ConfigException(key + ": the endpoint name '" + name + "' may contain only a-z, 0-9, '_' and '-'");
}

} // namespace

int DeclaredAccounts::apply(const Poco::Util::AbstractConfiguration& config, Store& store, const Settings& settings,
	const EventCatalog& catalog, const PayloadBuilder& payloads, const Clock& clock, Poco::Logger& logger)
{
	const Declarations d(config);
	int endpointCount = 0;
	// The API's rules and limits; a host that does not resolve at boot is left to send time.
	EndpointService endpoints(store, catalog, payloads, clock,
		EndpointService::Options{settings.planLimits, settings.allowPrivateDestinations}, nullptr);
	AccountService accounts(store, clock, settings.planLimits, nullptr);
	for (const auto& accountId : d.keys(ROOT))
	{
		const std::string prefix = ROOT + "." + accountId;
		if (auto why = AccountRules::checkId(accountId); !why.empty()) throw ConfigException(prefix + ": account " + why);
		d.rejectUnknown(prefix, {"name", "plan", "webhooksEnabled", "endpoints"});

		Poco::JSON::Object fields;
		if (d.has(prefix + ".name")) fields.set("name", d.value(prefix + ".name"));
		if (d.has(prefix + ".plan")) fields.set("plan", d.value(prefix + ".plan"));
		if (d.has(prefix + ".webhooksEnabled")) fields.set("webhooksEnabled", d.boolean(prefix + ".webhooksEnabled"));
		Account account;
		try
		{
			account = accounts.declare(accountId, fields);
		}
		catch (const DomainError& e)
		{
			if (e.code() == DomainError::Code::PlanLimitReached)
				throw ConfigException(prefix + ".plan = '" + d.value(prefix + ".plan") + "': " + e.message());
			throw ConfigException(prefix + "." + e.message());
		}
		const int limit = accounts.limit(account.plan);

		const std::string endpointsPrefix = prefix + ".endpoints";
		for (const auto& name : d.keys(endpointsPrefix))
		{
			const std::string ep = endpointsPrefix + "." + name;
			checkName(ep, name);
			std::vector<std::string> allowed = EndpointRules::fields();  // the API's fields, plus the secret
			allowed.push_back("secret");
			d.rejectUnknown(ep, allowed);
			d.rejectUnknown(ep + ".authHeader", {"key", "value"});

			// The same rules as the API: build the JSON body the API would get.
			Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
			for (const std::string field : {"url", "email", "hierarchy", "description"})
				if (d.has(ep + "." + field)) body->set(field, d.value(ep + "." + field));
			if (d.has(ep + ".enabled")) body->set("enabled", d.boolean(ep + ".enabled"));
			for (const std::string field : {"maxInFlight", "rateLimit"})
				if (d.has(ep + "." + field)) body->set(field, d.integer(ep + "." + field));
			if (d.has(ep + ".authHeader.key") || d.has(ep + ".authHeader.value"))
			{
				Poco::JSON::Object::Ptr header = new Poco::JSON::Object;
				if (d.has(ep + ".authHeader.key")) header->set("key", d.value(ep + ".authHeader.key"));
				if (d.has(ep + ".authHeader.value")) header->set("value", d.value(ep + ".authHeader.value"));
				body->set("authHeader", header);
			}
			Poco::JSON::Array::Ptr types = new Poco::JSON::Array;
			if (d.has(ep + ".eventTypes"))
			{
				Poco::StringTokenizer tok(d.value(ep + ".eventTypes"), ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
				for (const auto& t : tok) types->add(t);
			}
			body->set("eventTypes", types);

			std::optional<std::string> secret;
			if (d.has(ep + ".secret")) secret = d.value(ep + ".secret");
			try
			{
				endpoints.declare(account, "ep_" + accountId + "_" + name, *body, secret);
			}
			catch (const DomainError& e)
			{
				switch (e.code())
				{
				case DomainError::Code::PlanLimitReached:
					throw ConfigException(Poco::format("%s: plan '%s' allows %d endpoint(s); account '%s' has them all",
						ep, account.plan, limit, accountId));
				case DomainError::Code::Conflict:
					throw ConfigException(ep + ": the id ep_" + accountId + "_" + name + " belongs to another account");
				default:
					throw ConfigException(ep + "." + e.message());
				}
			}
			++endpointCount;
		}
		logger.information("declared account '%s' (%s) applied", accountId, account.plan);
	}
	return endpointCount;
}

} // namespace Hookgate

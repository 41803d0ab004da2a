#include "gateway/core/EndpointRules.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/JsonFields.h"
#include "gateway/core/Plans.h"
#include "transports/DestinationPolicy.h"
#include "transports/EmailAddress.h"
#include "transports/HTTPHeader.h"
#include "transports/HTTPTarget.h"
#include "transports/PrintableText.h"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <algorithm>

namespace Hookgate {

namespace {

const std::vector<std::string> ENDPOINT_FIELDS = {"url", "email", "authHeader", "eventTypes", "hierarchy", "description", "enabled",
	"maxInFlight", "rateLimit"};

/// How a value that is not an integer in range is named in a message.
std::string describe(const Poco::Dynamic::Var& value)
{
	if (value.isBoolean()) return value.extract<bool>() ? "true" : "false";
	if (value.isString())
	{
		const std::string text = value.extract<std::string>();
		return "'" + (text.size() > 64 ? text.substr(0, 64) + "..." : text) + "'";
	}
	if (value.isInteger()) return value.toString();
	if (value.isNumeric()) return "a number that is not an integer";
	if (value.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
	return "an object";
}

} // namespace

void EndpointRules::checkUrl(const std::string& url) const
{
	HTTPTarget target;
	if (const std::string why = target.parse(url); !why.empty())
		throw DomainError::invalid("url", (url.size() > 200 || !PrintableText::check(url).empty() ? std::string("the URL") : "'" + url + "'") + ": " + why);
	if (!_allowPrivateDestinations)
	{
		std::vector<Poco::Net::IPAddress> addresses;
		try
		{
			addresses = DestinationPolicy::resolve(target.host);
		}
		catch (const Poco::Exception& e)
		{
			if (_refuseUnresolvable) throw DomainError::invalid("url", DestinationPolicy::resolveError(target.host, e));
			return;  // checked again at send time
		}
		const std::string why = DestinationPolicy::check(target.host, addresses);
		if (!why.empty()) throw DomainError::invalid("url", why);
	}
}

void EndpointRules::checkAuthHeader(const Poco::Dynamic::Var& value, Endpoint& endpoint)
{
	if (value.isEmpty())
	{
		endpoint.authHeader.reset();
		return;
	}
	Poco::JSON::Object::Ptr header;
	try
	{
		header = value.extract<Poco::JSON::Object::Ptr>();
	}
	catch (const Poco::Exception&)
	{
		throw DomainError::invalid("authHeader", "expected an object {\"key\": ..., \"value\": ...} or null");
	}
	JsonFields::rejectUnknown(*header, {"key", "value"}, "authHeader");
	if (!header->has("key") || !header->has("value")) throw DomainError::invalid("authHeader", "both key and value are required");
	if (!header->get("key").isString()) throw DomainError::invalid("authHeader.key", "expected a string");
	if (!header->get("value").isString()) throw DomainError::invalid("authHeader.value", "expected a string");
	const std::string key = header->get("key").extract<std::string>();
	const std::string val = header->get("value").extract<std::string>();
	if (const std::string why = HTTPHeader::checkName(key); !why.empty()) throw DomainError::invalid("authHeader.key", why);
	const std::string lower = Poco::toLower(key);
	if (HTTPHeader::isSetByTransport(key) || lower == "content-type" || lower == "user-agent")
		throw DomainError::invalid("authHeader.key", "'" + key + "' is set by hookgate and cannot be replaced");
	if (lower.compare(0, 8, "webhook-") == 0)
		throw DomainError::invalid("authHeader.key", "'" + key + "': webhook-* headers are reserved for the signature");
	if (const std::string why = HTTPHeader::checkValue(val); !why.empty()) throw DomainError::invalid("authHeader.value", why);
	endpoint.authHeader = AuthHeader{key, val};
}

void EndpointRules::apply(const Poco::JSON::Object& body, Endpoint& endpoint, const Account& account) const
{
	JsonFields::rejectUnknown(body, ENDPOINT_FIELDS, "endpoint");
	if (body.has("url"))
	{
		const auto v = body.get("url");
		if (v.isEmpty()) endpoint.url.clear();
		else
		{
			endpoint.url = JsonFields::string(body, "url");
			checkUrl(endpoint.url);
		}
	}
	if (body.has("email"))
	{
		const auto v = body.get("email");
		if (v.isEmpty()) endpoint.email.clear();
		else
		{
			endpoint.email = JsonFields::string(body, "email");
			if (auto why = EmailAddress::check(endpoint.email); !why.empty())
				throw DomainError::invalid("email", (PrintableText::check(endpoint.email).empty() ? "'" + endpoint.email + "': " : std::string()) + why);
		}
	}
	if (endpoint.url.empty() && endpoint.email.empty()) throw DomainError(DomainError::Code::ValidationFailed, "", "url or email: at least one is required");
	if (body.has("authHeader")) checkAuthHeader(body.get("authHeader"), endpoint);
	if (body.has("eventTypes"))
	{
		Poco::JSON::Array::Ptr types;
		try
		{
			types = body.get("eventTypes").extract<Poco::JSON::Array::Ptr>();
		}
		catch (const Poco::Exception&)
		{
			throw DomainError::invalid("eventTypes", "expected an array of event types");
		}
		endpoint.eventTypes.clear();
		for (std::size_t i = 0; i < types->size(); ++i)
		{
			const auto t = types->get(static_cast<unsigned>(i));
			if (!t.isString()) throw DomainError::invalid("eventTypes[" + std::to_string(i) + "]", "expected a string");
			const std::string pattern = t.extract<std::string>();
			if (auto why = _catalog.checkPattern(pattern); !why.empty()) throw DomainError::invalid("eventTypes", why);
			if (!Plans::includesEnterpriseEvents(account.plan) && EventCatalog::patternNeedsEnterprise(pattern))
				throw DomainError(DomainError::Code::PlanFeatureUnavailable, "eventTypes",
					"eventTypes: '" + pattern + "' needs the enterprise plan; account '" + account.id + "' is on '" + account.plan + "'");
			if (std::find(endpoint.eventTypes.begin(), endpoint.eventTypes.end(), pattern) == endpoint.eventTypes.end())
				endpoint.eventTypes.push_back(pattern);
		}
	}
	if (endpoint.eventTypes.empty()) throw DomainError::invalid("eventTypes", "at least one event type is required");
	if (body.has("hierarchy"))
	{
		endpoint.hierarchy = JsonFields::string(body, "hierarchy");
		if (!_payloads.hasHierarchy(endpoint.hierarchy))
		{
			std::string known = "nested, flat";
			for (const auto& name : _payloads.templateNames()) known += ", " + PayloadBuilder::TEMPLATE_PREFIX + name;
			const bool isTemplate = endpoint.hierarchy.compare(0, PayloadBuilder::TEMPLATE_PREFIX.size(), PayloadBuilder::TEMPLATE_PREFIX) == 0;
			throw DomainError::invalid("hierarchy", "'" + endpoint.hierarchy + "' is not available"
				+ (isTemplate ? std::string(" (no such file in templates/hierarchy/)") : std::string()) + "; expected one of " + known);
		}
	}
	if (body.has("description"))
	{
		const auto v = body.get("description");
		endpoint.description = v.isEmpty() ? std::string() : JsonFields::string(body, "description");
		if (endpoint.description.size() > 1000) throw DomainError::invalid("description", "at most 1000 characters");
		if (auto why = PrintableText::check(endpoint.description); !why.empty()) throw DomainError::invalid("description", why);
	}
	if (body.has("enabled")) endpoint.enabled = JsonFields::boolean(body, "enabled");
	if (body.has("maxInFlight"))
		endpoint.maxInFlight = checkLimit(body.get("maxInFlight"), "maxInFlight", MAX_IN_FLIGHT_LIMIT, "the default (hookgate.delivery.maxInFlight)");
	if (body.has("rateLimit")) endpoint.rateLimit = checkLimit(body.get("rateLimit"), "rateLimit", RATE_LIMIT_LIMIT, "no limit");
}

int EndpointRules::checkLimit(const Poco::Dynamic::Var& value, const std::string& name, int max, const std::string& nullMeans)
{
	if (value.isEmpty()) return 0;
	Poco::Int64 n = 0;
	// Booleans count as integers to Poco; integers too large for Int64 fail to parse.
	if (value.isInteger() && !value.isBoolean() && Poco::NumberParser::tryParse64(value.toString(), n) && n >= 1 && n <= max)
		return static_cast<int>(n);
	throw DomainError::invalid(name, "expected an integer from 1 to " + std::to_string(max) + ", or null for " + nullMeans
		+ "; got " + describe(value));
}

const std::vector<std::string>& EndpointRules::fields()
{
	return ENDPOINT_FIELDS;
}

} // namespace Hookgate

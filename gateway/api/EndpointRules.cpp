#include "gateway/api/EndpointRules.h"
#include "gateway/EmailAddress.h"
#include "gateway/PayloadBuilder.h"
#include "gateway/api/ApiResources.h"
#include "transports/DestinationPolicy.h"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>

namespace Hookgate {

namespace {

const std::vector<std::string> ENDPOINT_FIELDS = {"url", "email", "authHeader", "eventTypes", "hierarchy", "description", "enabled",
	"maxInFlight", "rateLimit"};

bool isTokenChar(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
}

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
	if (url.size() > 2048) throw ApiError::validation("url: at most 2048 characters");
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception& e)
	{
		throw ApiError::validation("url: '" + url + "' is not a valid URL: " + e.message());
	}
	const std::string scheme = Poco::toLower(uri.getScheme());
	if (scheme != "http" && scheme != "https")
		throw ApiError::validation("url: '" + url + "' must start with http:// or https://");
	if (uri.getHost().empty()) throw ApiError::validation("url: '" + url + "' has no host");
	if (!uri.getFragment().empty()) throw ApiError::validation("url: '" + url + "' must not have a #fragment");
	if (!_allowPrivateDestinations)
	{
		std::vector<Poco::Net::IPAddress> addresses;
		try
		{
			addresses = DestinationPolicy::resolve(uri.getHost());
		}
		catch (const Poco::Exception& e)
		{
			if (_refuseUnresolvable) throw ApiError::validation("url: " + DestinationPolicy::resolveError(uri.getHost(), e));
			return;  // checked again at send time
		}
		const std::string why = DestinationPolicy::check(uri.getHost(), addresses);
		if (!why.empty()) throw ApiError::validation("url: " + why);
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
		throw ApiError::validation("authHeader: expected an object {\"key\": ..., \"value\": ...} or null");
	}
	ApiResources::rejectUnknownFields(*header, {"key", "value"}, "authHeader");
	if (!header->has("key") || !header->has("value")) throw ApiError::validation("authHeader: both key and value are required");
	if (!header->get("key").isString()) throw ApiError::validation("authHeader.key: expected a string");
	if (!header->get("value").isString()) throw ApiError::validation("authHeader.value: expected a string");
	const std::string key = header->get("key").extract<std::string>();
	const std::string val = header->get("value").extract<std::string>();
	if (key.empty() || key.size() > 256) throw ApiError::validation("authHeader.key: expected 1 to 256 characters");
	for (char c : key)
		if (!isTokenChar(c)) throw ApiError::validation("authHeader.key: '" + key + "' is not a valid HTTP header name");
	const std::string lower = Poco::toLower(key);
	static const std::vector<std::string> RESERVED = {"host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent"};
	for (const auto& r : RESERVED)
		if (lower == r) throw ApiError::validation("authHeader.key: '" + key + "' is set by hookgate and cannot be replaced");
	if (lower.compare(0, 8, "webhook-") == 0)
		throw ApiError::validation("authHeader.key: '" + key + "': webhook-* headers are reserved for the signature");
	if (val.size() > 4096) throw ApiError::validation("authHeader.value: at most 4096 characters");
	for (char c : val)
		if (c == '\r' || c == '\n' || c == '\0')
			throw ApiError::validation("authHeader.value: must not contain CR, LF or NUL characters");
	endpoint.authHeader = AuthHeader{key, val};
}

void EndpointRules::apply(const Poco::JSON::Object& body, Endpoint& endpoint, const Account& account) const
{
	ApiResources::rejectUnknownFields(body, ENDPOINT_FIELDS, "endpoint");
	if (body.has("url"))
	{
		const auto v = body.get("url");
		if (v.isEmpty()) endpoint.url.clear();
		else
		{
			endpoint.url = ApiResources::stringField(body, "url");
			checkUrl(endpoint.url);
		}
	}
	if (body.has("email"))
	{
		const auto v = body.get("email");
		if (v.isEmpty()) endpoint.email.clear();
		else
		{
			endpoint.email = ApiResources::stringField(body, "email");
			if (auto why = EmailAddress::check(endpoint.email); !why.empty()) throw ApiError::validation("email: " + why);
		}
	}
	if (endpoint.url.empty() && endpoint.email.empty()) throw ApiError::validation("url or email: at least one is required");
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
			throw ApiError::validation("eventTypes: expected an array of event types");
		}
		endpoint.eventTypes.clear();
		for (std::size_t i = 0; i < types->size(); ++i)
		{
			const auto t = types->get(static_cast<unsigned>(i));
			if (!t.isString()) throw ApiError::validation("eventTypes[" + std::to_string(i) + "]: expected a string");
			const std::string pattern = t.extract<std::string>();
			if (auto why = _catalog.checkPattern(pattern); !why.empty()) throw ApiError::validation("eventTypes: " + why);
			if (account.plan != "enterprise" && EventCatalog::patternNeedsEnterprise(pattern))
				throw ApiError(403, "plan_feature_unavailable",
					"eventTypes: '" + pattern + "' needs the enterprise plan; account '" + account.id + "' is on '" + account.plan + "'");
			if (std::find(endpoint.eventTypes.begin(), endpoint.eventTypes.end(), pattern) == endpoint.eventTypes.end())
				endpoint.eventTypes.push_back(pattern);
		}
	}
	if (endpoint.eventTypes.empty()) throw ApiError::validation("eventTypes: at least one event type is required");
	if (body.has("hierarchy"))
	{
		endpoint.hierarchy = ApiResources::stringField(body, "hierarchy");
		if (!_payloads.hasHierarchy(endpoint.hierarchy))
		{
			std::string known = "nested, flat";
			for (const auto& name : _payloads.templateNames()) known += ", " + PayloadBuilder::TEMPLATE_PREFIX + name;
			const bool isTemplate = endpoint.hierarchy.compare(0, PayloadBuilder::TEMPLATE_PREFIX.size(), PayloadBuilder::TEMPLATE_PREFIX) == 0;
			throw ApiError::validation("hierarchy: '" + endpoint.hierarchy + "' is not available"
				+ (isTemplate ? std::string(" (no such file in templates/hierarchy/)") : std::string()) + "; expected one of " + known);
		}
	}
	if (body.has("description"))
	{
		const auto v = body.get("description");
		endpoint.description = v.isEmpty() ? std::string() : ApiResources::stringField(body, "description");
		if (endpoint.description.size() > 1000) throw ApiError::validation("description: at most 1000 characters");
	}
	if (body.has("enabled")) endpoint.enabled = ApiResources::boolField(body, "enabled");
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
	throw ApiError::validation(name + ": expected an integer from 1 to " + std::to_string(max) + ", or null for " + nullMeans
		+ "; got " + describe(value));
}

const std::vector<std::string>& EndpointRules::fields()
{
	return ENDPOINT_FIELDS;
}

} // namespace Hookgate

#include "gateway/api/ApiViews.h"
#include "gateway/core/Iso8601.h"
#include "gateway/api/ApiExchange.h"

#include <Poco/JSON/Array.h>

#include <cmath>

namespace Hookgate {

Poco::Dynamic::Var ApiViews::time(Millis millis)
{
	if (millis == 0) return Poco::Dynamic::Var();
	return Iso8601::format(millis);
}

std::string ApiViews::mask(const std::string& value)
{
	if (value.size() <= 4) return "****";
	return "****" + value.substr(value.size() - 4);
}

Poco::JSON::Object::Ptr ApiViews::account(const Account& a, int endpointLimit)
{
	auto o = ApiExchange::object();
	o->set("id", a.id);
	o->set("name", a.name);
	o->set("plan", a.plan);
	o->set("webhooksEnabled", a.webhooksEnabled);
	o->set("endpointLimit", endpointLimit);
	o->set("endpointCount", a.endpointCount);
	o->set("createdAt", time(a.createdAt));
	return o;
}

Poco::JSON::Object::Ptr ApiViews::stats(const EndpointStats& s)
{
	auto o = ApiExchange::object();
	o->set("total", s.total);
	o->set("succeeded", s.succeeded);
	o->set("failed", s.failed);
	o->set("pending", s.pending);
	const Poco::Int64 finished = s.succeeded + s.failed;
	if (finished == 0) o->set("successRate", Poco::Dynamic::Var());
	else o->set("successRate", std::round(1000.0 * static_cast<double>(s.succeeded) / static_cast<double>(finished)) / 1000.0);
	return o;
}

Poco::JSON::Object::Ptr ApiViews::endpoint(const Endpoint& e, const EndpointStats& s, bool withSecret)
{
	auto o = ApiExchange::object();
	o->set("id", e.id);
	o->set("accountId", e.accountId);
	o->set("url", e.url.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.url));
	o->set("email", e.email.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.email));
	if (e.authHeader)
	{
		auto h = ApiExchange::object();
		h->set("key", e.authHeader->key);
		h->set("value", mask(e.authHeader->value));
		o->set("authHeader", h);
	}
	else o->set("authHeader", Poco::Dynamic::Var());
	Poco::JSON::Array::Ptr types = new Poco::JSON::Array;
	for (const auto& t : e.eventTypes) types->add(t);
	o->set("eventTypes", types);
	o->set("hierarchy", e.hierarchy);
	o->set("description", e.description);
	o->set("enabled", e.enabled);
	o->set("maxInFlight", e.maxInFlight > 0 ? Poco::Dynamic::Var(e.maxInFlight) : Poco::Dynamic::Var());
	o->set("rateLimit", e.rateLimit > 0 ? Poco::Dynamic::Var(e.rateLimit) : Poco::Dynamic::Var());
	o->set("transport", e.transport());
	o->set("createdAt", time(e.createdAt));
	o->set("stats", stats(s));
	if (withSecret) o->set("secret", e.secret);
	return o;
}

Poco::JSON::Object::Ptr ApiViews::attempt(const Attempt& a)
{
	auto o = ApiExchange::object();
	o->set("at", time(a.at));
	o->set("responseCode", a.responseCode > 0 ? Poco::Dynamic::Var(a.responseCode) : Poco::Dynamic::Var());
	o->set("durationMs", a.durationMs);
	o->set("error", a.error.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(a.error));
	o->set("responseBody", a.responseBody ? Poco::Dynamic::Var(*a.responseBody) : Poco::Dynamic::Var());
	return o;
}

Poco::JSON::Object::Ptr ApiViews::delivery(const Delivery& d, bool withAttempts)
{
	auto o = ApiExchange::object();
	o->set("id", d.id);
	o->set("endpointId", d.endpointId);
	o->set("eventId", d.eventId);
	o->set("eventType", d.eventType);
	o->set("transport", d.transport);
	o->set("createdAt", time(d.createdAt));
	o->set("status", std::string(toString(d.status)));
	o->set("attemptCount", d.attemptCount);
	o->set("lastAttemptAt", time(d.lastAttemptAt));
	o->set("nextAttemptAt", d.status == DeliveryStatus::Pending ? time(d.nextAttemptAt) : Poco::Dynamic::Var());
	o->set("responseCode", d.responseCode > 0 ? Poco::Dynamic::Var(d.responseCode) : Poco::Dynamic::Var());
	o->set("replayOf", d.replayOf.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(d.replayOf));
	o->set("replayCount", d.replayCount);
	if (!d.replayOf.empty()) o->set("label", std::string("replay"));
	else if (d.replayCount > 0) o->set("label", "replayed " + std::to_string(d.replayCount) + "\xC3\x97");
	else o->set("label", Poco::Dynamic::Var());
	o->set("archived", d.archived);
	o->set("error", d.lastError.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(d.lastError));
	if (withAttempts)
	{
		Poco::JSON::Array::Ptr attempts = new Poco::JSON::Array;
		for (const auto& a : d.attempts) attempts->add(attempt(a));
		o->set("attempts", attempts);
	}
	return o;
}

Poco::JSON::Object::Ptr ApiViews::ingest(const IngestResult& r)
{
	auto o = ApiExchange::object();
	o->set("id", r.eventId);
	o->set("type", r.type);
	Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
	for (const auto& [deliveryId, endpointId] : r.deliveries)
	{
		auto d = ApiExchange::object();
		d->set("id", deliveryId);
		d->set("endpointId", endpointId);
		list->add(d);
	}
	o->set("deliveries", list);
	return o;
}

} // namespace Hookgate

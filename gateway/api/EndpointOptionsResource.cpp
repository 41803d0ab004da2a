#include "gateway/api/EndpointOptionsResource.h"
#include "gateway/api/ApiResources.h"
#include "gateway/core/Plans.h"

#include <Poco/JSON/Array.h>

namespace Hookgate {

void EndpointOptionsResource::get(ApiExchange& exchange, const std::string& accountId)
{
	const Account account = ApiResources::requireAccount(_context, accountId);
	Poco::JSON::Array::Ptr types = new Poco::JSON::Array;
	for (const auto& type : _context.catalog.types())
	{
		auto item = ApiExchange::object();
		const bool enterpriseOnly = EventCatalog::isEnterpriseOnly(type);
		item->set("type", type);
		item->set("enterpriseOnly", enterpriseOnly);
		item->set("available", !enterpriseOnly || Plans::includesEnterpriseEvents(account.plan));
		types->add(item);
	}
	Poco::JSON::Array::Ptr hierarchies = new Poco::JSON::Array;
	hierarchies->add(PayloadBuilder::NESTED);
	hierarchies->add(PayloadBuilder::FLAT);
	for (const auto& name : _context.payloadBuilder.templateNames()) hierarchies->add(PayloadBuilder::TEMPLATE_PREFIX + name);
	// What an endpoint's null maxInFlight and rateLimit stand for on this gateway.
	auto defaults = ApiExchange::object();
	defaults->set("maxInFlight", _context.settings.maxInFlight);
	defaults->set("rateLimit", Poco::Dynamic::Var());
	auto o = ApiExchange::object();
	o->set("eventTypes", types);
	o->set("hierarchies", hierarchies);
	o->set("defaults", defaults);
	exchange.sendJson(200, *o);
}

} // namespace Hookgate

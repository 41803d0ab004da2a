#include "gateway/api/EventsResource.h"
#include "gateway/core/Ids.h"
#include "gateway/core/Iso8601.h"
#include "gateway/payload/JsonScanner.h"
#include "gateway/api/ApiResources.h"
#include "gateway/api/ApiViews.h"

#include <map>

namespace Hookgate {

std::string EventsResource::checkIdempotencyKey(const std::string& key)
{
	if (key.empty() || key.size() > 128) return "id: expected 1 to 128 characters, got " + std::to_string(key.size());
	for (std::size_t i = 0; i < key.size(); ++i)
	{
		const char c = key[i];
		if (c < 0x21 || c > 0x7e)
			return "id: may contain only printable ASCII characters without spaces; character " + std::to_string(i + 1) + " is not one";
		if (c == '.') return "id: '" + key + "' must not contain '.'";
	}
	return {};
}

void EventsResource::ingest(ApiExchange& exchange, const std::string& accountId)
{
	const Account account = ApiResources::requireAccount(_context, accountId);
	const std::string& text = exchange.body();
	if (text.empty()) throw ApiError(400, "invalid_json", "request body is empty; expected a JSON object");

	// One pass: validated, a name twice in one object refused (inside data too: a receiver's
	// parser might read the other value), and the top-level members taken from the tokens.
	JsonScanner scanner;
	std::vector<JsonToken> tokens;
	if (!scanner.tokenizeUnique(text, tokens))
	{
		// Well-formed so far but too deep: the JSON is not broken, our limit is reached.
		if (scanner.depthExceeded())
			throw ApiError::validation(scanner.error() + "; events may be nested at most "
				+ std::to_string(scanner.maxDepth()) + " levels deep, the outer object included");
		throw ApiError(400, "invalid_json", scanner.error());
	}
	if (tokens.empty() || tokens[0].kind != 'o') throw ApiError(400, "invalid_json", "expected a JSON object");
	const std::vector<JsonMember> members = JsonScanner::membersOf(text, tokens);

	const JsonMember* type = nullptr;
	const JsonMember* id = nullptr;
	const JsonMember* data = nullptr;
	for (const auto& m : members)
	{
		if (m.name == "type") type = &m;
		else if (m.name == "id") id = &m;
		else if (m.name == "data") data = &m;
		else throw ApiError::validation("unknown field '" + m.name + "' in event; known fields: type, id, data");
	}
	if (!type) throw ApiError::validation("type: required");
	if (type->kind != 's') throw ApiError::validation("type: expected a string");
	Event event;
	event.accountId = accountId;
	event.type = JsonScanner::decodeString(text.substr(type->offset, type->length));
	if (!_context.catalog.contains(event.type))
		throw ApiError::validation("type: '" + event.type + "' is not an event type of the catalog");
	if (EventCatalog::isEnterpriseOnly(event.type) && account.plan != "enterprise")
		throw ApiError(403, "plan_feature_unavailable",
			"type: '" + event.type + "' needs the enterprise plan; account '" + account.id + "' is on '" + account.plan + "'");
	if (id)
	{
		if (id->kind != 's') throw ApiError::validation("id: expected a string");
		event.idempotencyKey = JsonScanner::decodeString(text.substr(id->offset, id->length));
		if (auto why = checkIdempotencyKey(event.idempotencyKey); !why.empty()) throw ApiError::validation(why);
		if (auto existing = _context.store.eventByKey(accountId, event.idempotencyKey))
		{
			exchange.sendJson(200, *ApiViews::ingest(*existing));
			return;
		}
	}
	if (!data) throw ApiError::validation("data: required (a JSON object)");
	if (data->kind != 'o') throw ApiError::validation("data: expected a JSON object");

	event.createdAt = _context.clock.now();
	event.id = Ids::makeTimeOrdered("msg_", event.createdAt);

	std::vector<NewDelivery> deliveries;
	if (account.webhooksEnabled)
	{
		EventEnvelope envelope;
		envelope.id = event.id;
		envelope.type = event.type;
		envelope.created = Iso8601::format(event.createdAt);
		envelope.source = _context.settings.payloadSource;
		envelope.dataRaw = text.substr(data->offset, data->length);
		std::map<std::string, std::string> payloads;  // one build per hierarchy
		for (const auto& endpoint : _context.store.endpoints(accountId))
		{
			if (!endpoint.enabled || !EventCatalog::matchesAny(endpoint.eventTypes, event.type)) continue;
			auto it = payloads.find(endpoint.hierarchy);
			if (it == payloads.end())
				it = payloads.emplace(endpoint.hierarchy, _context.payloadBuilder.build(envelope, endpoint.hierarchy)).first;
			deliveries.push_back(NewDelivery{Ids::makeTimeOrdered("dlv_", event.createdAt), endpoint.id, endpoint.transport(), it->second});
		}
	}

	const IngestResult result = _context.store.insertEvent(event, deliveries);
	if (!result.duplicate)
	{
		_context.metrics.eventIngested(result.deliveries.size());
		if (!result.deliveries.empty()) _context.wakeDispatcher();
	}
	exchange.sendJson(result.duplicate ? 200 : 202, *ApiViews::ingest(result));
}

} // namespace Hookgate

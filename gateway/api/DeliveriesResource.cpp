#include "gateway/api/DeliveriesResource.h"
#include "gateway/core/Iso8601.h"
#include "gateway/api/ApiResources.h"
#include "gateway/api/ApiViews.h"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>

namespace Hookgate {

namespace {

const std::string CURSOR_PREFIX = "dc";

} // namespace

void DeliveriesResource::list(ApiExchange& exchange, const std::string& accountId, const std::string& endpointId)
{
	ApiResources::requireAccount(_context, accountId);
	ApiResources::requireEndpoint(_context, accountId, endpointId);

	std::optional<DeliveryStatus> status;
	if (exchange.hasQuery("status") && !exchange.query("status").empty())
	{
		status = parseDeliveryStatus(exchange.query("status"));
		if (!status)
			throw ApiError::validation("status: '" + exchange.query("status") + "' is not a status; expected pending, succeeded or failed");
	}
	int limit = 50;
	if (exchange.hasQuery("limit"))
	{
		if (!Poco::NumberParser::tryParse(exchange.query("limit"), limit) || limit < 1)
			throw ApiError::validation("limit: expected a whole number of at least 1, got '" + exchange.query("limit") + "'");
		if (limit > 500) limit = 500;
	}
	Poco::Int64 before = 0;
	if (exchange.hasQuery("before") && !exchange.query("before").empty())
	{
		const std::string cursor = exchange.query("before");
		if (cursor.compare(0, CURSOR_PREFIX.size(), CURSOR_PREFIX) != 0
			|| !Poco::NumberParser::tryParse64(cursor.substr(CURSOR_PREFIX.size()), before) || before < 1)
			throw ApiError::validation("before: '" + cursor + "' is not a cursor returned as 'next' by this list");
	}

	auto rows = _context.store.deliveries(accountId, endpointId, status, before, static_cast<std::size_t>(limit) + 1);
	const bool more = rows.size() > static_cast<std::size_t>(limit);
	if (more) rows.resize(static_cast<std::size_t>(limit));
	Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
	for (const auto& d : rows) items->add(ApiViews::delivery(d, false));
	auto o = ApiExchange::object();
	o->set("items", items);
	o->set("next", more ? Poco::Dynamic::Var(CURSOR_PREFIX + std::to_string(rows.back().seq)) : Poco::Dynamic::Var());
	exchange.sendJson(200, *o);
}

void DeliveriesResource::get(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	auto delivery = _context.store.delivery(accountId, id, true);
	if (!delivery) throw ApiError::notFound("delivery '" + id + "' not found in account '" + accountId + "'");
	exchange.sendJson(200, *ApiViews::delivery(*delivery, true));
}

void DeliveriesResource::raw(ApiExchange& exchange, const std::string& accountId, const std::string& id, bool download)
{
	ApiResources::requireAccount(_context, accountId);
	auto delivery = _context.store.delivery(accountId, id, false);
	if (!delivery) throw ApiError::notFound("delivery '" + id + "' not found in account '" + accountId + "'");
	const auto bytes = delivery->archived ? std::nullopt : _context.store.payload(delivery->seq);
	if (!bytes)
		throw ApiError(410, "archived", "delivery '" + id + "' is archived: its payload was deleted after the retention period");
	if (download)
		exchange.setHeader("Content-Disposition", "attachment; filename=\"" + delivery->eventType + "_" + delivery->id + ".json\"");
	exchange.sendBytes(200, "application/json", *bytes);
}

void DeliveriesResource::replay(ApiExchange& exchange, const std::string& accountId, const std::string& id)
{
	ApiResources::requireAccount(_context, accountId);
	exchange.sendJson(202, *ApiViews::delivery(_context.replays.replay(accountId, id), false));
}

void DeliveriesResource::recover(ApiExchange& exchange, const std::string& accountId, const std::string& endpointId)
{
	ApiResources::requireAccount(_context, accountId);
	ApiResources::requireEndpoint(_context, accountId, endpointId);
	auto body = exchange.jsonObject();
	ApiResources::rejectUnknownFields(*body, {"since", "until"}, "recover request");
	auto time = [&](const std::string& field) {
		try
		{
			return Iso8601::parse(ApiResources::stringField(*body, field));
		}
		catch (const Poco::SyntaxException& e)
		{
			throw ApiError::validation(field + ": " + e.message());
		}
	};
	if (!body->has("since")) throw ApiError::validation("since: required (the start of the outage, ISO 8601)");
	const Millis since = time("since");
	const Millis until = body->has("until") && !body->get("until").isEmpty() ? time("until") : _context.clock.now() + 1;
	auto o = ApiExchange::object();
	o->set("replayed", _context.replays.recover(accountId, endpointId, since, until));
	exchange.sendJson(202, *o);
}

} // namespace Hookgate

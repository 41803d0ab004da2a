#include "gateway/core/IngestService.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/Ids.h"
#include "gateway/core/Iso8601.h"
#include "gateway/core/Plans.h"

#include <map>

namespace Hookgate {

IngestService::IngestService(Store& store, const EventCatalog& catalog, const PayloadBuilder& payloads, const Clock& clock,
	Metrics& metrics, std::string payloadSource, std::function<void()> wakeDispatcher):
	_store(store),
	_catalog(catalog),
	_payloads(payloads),
	_clock(clock),
	_metrics(metrics),
	_payloadSource(std::move(payloadSource)),
	_wakeDispatcher(std::move(wakeDispatcher))
{
}

std::string IngestService::checkIdempotencyKey(const std::string& key)
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

IngestResult IngestService::ingest(const Account& account, const IngestRequest& request)
{
	Event event;
	event.accountId = account.id;
	event.type = request.type;
	if (!_catalog.contains(event.type))
		throw DomainError::invalid("type", "'" + event.type + "' is not an event type of the catalog");
	if (EventCatalog::isEnterpriseOnly(event.type) && !Plans::includesEnterpriseEvents(account.plan))
		throw DomainError(DomainError::Code::PlanFeatureUnavailable, "type",
			"type: '" + event.type + "' needs the enterprise plan; account '" + account.id + "' is on '" + account.plan + "'");
	if (request.idempotencyKey)
	{
		event.idempotencyKey = *request.idempotencyKey;
		if (auto why = checkIdempotencyKey(event.idempotencyKey); !why.empty())
			throw DomainError(DomainError::Code::ValidationFailed, "id", why);
		// A key seen before answers as the first time did, whatever else this request says.
		if (auto existing = _store.eventByKey(account.id, event.idempotencyKey))
		{
			existing->duplicate = true;
			return *existing;
		}
	}
	if (!request.data) throw DomainError::invalid("data", "required (a JSON object)");
	if (!request.dataIsObject) throw DomainError::invalid("data", "expected a JSON object");

	event.createdAt = _clock.now();
	event.id = Ids::makeTimeOrdered("msg_", event.createdAt);
	const std::vector<NewDelivery> deliveries =
		account.webhooksEnabled ? fanOut(account, event, *request.data) : std::vector<NewDelivery>();
	const IngestResult result = _store.insertEvent(event, deliveries);
	if (!result.duplicate)
	{
		_metrics.eventIngested(result.deliveries.size());
		if (!result.deliveries.empty() && _wakeDispatcher) _wakeDispatcher();
	}
	return result;
}

std::vector<NewDelivery> IngestService::fanOut(const Account& account, const Event& event, const std::string& data) const
{
	EventEnvelope envelope;
	envelope.id = event.id;
	envelope.type = event.type;
	envelope.created = Iso8601::format(event.createdAt);
	envelope.source = _payloadSource;
	envelope.dataRaw = data;
	std::vector<NewDelivery> deliveries;
	std::map<std::string, std::string> payloads;  // one build per hierarchy
	for (const auto& endpoint : _store.endpoints(account.id))
	{
		if (!endpoint.enabled || !EventCatalog::matchesAny(endpoint.eventTypes, event.type)) continue;
		auto it = payloads.find(endpoint.hierarchy);
		if (it == payloads.end()) it = payloads.emplace(endpoint.hierarchy, _payloads.build(envelope, endpoint.hierarchy)).first;
		deliveries.push_back(NewDelivery{Ids::makeTimeOrdered("dlv_", event.createdAt), endpoint.id, endpoint.transport(), it->second});
	}
	return deliveries;
}

} // namespace Hookgate

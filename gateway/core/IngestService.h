#pragma once

#include "gateway/core/Clock.h"
#include "gateway/core/EventCatalog.h"
#include "gateway/core/Metrics.h"
#include "gateway/core/Model.h"
#include "gateway/core/Store.h"
#include "gateway/payload/PayloadBuilder.h"

#include <functional>
#include <optional>
#include <string>

namespace Hookgate {

/// An event as the API or any other entry point hands it in, its JSON already read.
struct IngestRequest
{
	std::string type;
	std::optional<std::string> idempotencyKey;  ///< the event's `id`, when given
	std::optional<std::string> data;            ///< the raw JSON text of `data`, when given
	bool dataIsObject = false;                  ///< whether `data` is a JSON object
};

/// Ingest (docs/api.md "Events"): the event's type against the catalog and the account's plan,
/// the idempotency key, the fan-out to every enabled endpoint that subscribes (one payload per
/// hierarchy), the durable insert of the event with its deliveries, then the metrics and the
/// dispatcher's wake-up. Refusals are DomainErrors naming the field.
class IngestService
{
public:
	IngestService(Store& store, const EventCatalog& catalog, const PayloadBuilder& payloads, const Clock& clock,
		Metrics& metrics, std::string payloadSource, std::function<void()> wakeDispatcher);

	/// The stored event with its deliveries, committed before it returns; for a key seen
	/// before, the first answer with `duplicate` set (and nothing stored).
	IngestResult ingest(const Account& account, const IngestRequest& request);

	/// Empty if `key` is a valid idempotency key (1-128 printable ASCII, no '.'), else why not,
	/// starting with "id: ".
	static std::string checkIdempotencyKey(const std::string& key);

private:
	std::vector<NewDelivery> fanOut(const Account& account, const Event& event, const std::string& data) const;

	Store& _store;
	const EventCatalog& _catalog;
	const PayloadBuilder& _payloads;
	const Clock& _clock;
	Metrics& _metrics;
	std::string _payloadSource;
	std::function<void()> _wakeDispatcher;
};

} // namespace Hookgate

#pragma once

#include "gateway/core/EventCatalog.h"
#include "gateway/core/Model.h"
#include "gateway/payload/PayloadBuilder.h"

#include <Poco/JSON/Object.h>

namespace Hookgate {

/// The rules of an endpoint's fields (docs/api.md "Endpoints"), shared by the API and the
/// endpoints declared in the properties file. Violations throw DomainError (ValidationFailed,
/// or PlanFeatureUnavailable) naming the field; the message starts with the field's name.
class EndpointRules
{
public:
	/// payloads: the server's builder; `hierarchy` must be one it has (templates included).
	/// refuseUnresolvable: whether a URL host that cannot be resolved now is refused (the API)
	/// or accepted and left to the check at send time (declarations read at start, so that a
	/// DNS outage at boot does not stop the gateway).
	EndpointRules(const EventCatalog& catalog, const PayloadBuilder& payloads, bool allowPrivateDestinations,
		bool refuseUnresolvable = true):
		_catalog(catalog),
		_payloads(payloads),
		_allowPrivateDestinations(allowPrivateDestinations),
		_refuseUnresolvable(refuseUnresolvable)
	{
	}

	/// Applies the fields present in `body` to `endpoint`, validating each.
	void apply(const Poco::JSON::Object& body, Endpoint& endpoint, const Account& account) const;

	static const std::vector<std::string>& fields();

	/// The largest `maxInFlight` (attempts in flight) and `rateLimit` (attempts per second) an endpoint may set.
	static constexpr int MAX_IN_FLIGHT_LIMIT = 1024;
	static constexpr int RATE_LIMIT_LIMIT = 10000;

private:
	void checkUrl(const std::string& url) const;
	static void checkAuthHeader(const Poco::Dynamic::Var& value, Endpoint& endpoint);
	/// An optional limit: a JSON integer from 1 to `max`, or null (0: the default, `nullMeans`).
	static int checkLimit(const Poco::Dynamic::Var& value, const std::string& name, int max, const std::string& nullMeans);

	const EventCatalog& _catalog;
	const PayloadBuilder& _payloads;
	bool _allowPrivateDestinations;
	bool _refuseUnresolvable;
};

} // namespace Hookgate

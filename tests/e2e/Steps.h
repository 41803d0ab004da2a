#pragma once

#include "ApiClient.h"

#include <Poco/JSON/Object.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// Steps the e2e tests share: each checks the contract of the call it makes
/// (status, id prefixes) with Catch2 REQUIREs.
namespace Steps {

struct Endpoint
{
	std::string id;
	std::string secret;
	Poco::JSON::Object::Ptr json;
};

struct Event
{
	int status = 0;
	std::string id;                          ///< msg_...
	std::vector<std::string> deliveryIds;    ///< dlv_..., in the order of the answer
	std::vector<std::string> endpointIds;    ///< endpointId of each delivery
	ApiResponse response;
};

void createAccount(const ApiClient& api, const std::string& id, const std::string& plan = "professional");
	/// POST /api/v1/accounts with webhooksEnabled true, requires 201.

Endpoint createEndpoint(const ApiClient& api, const std::string& account, const std::string& url,
	const std::vector<std::string>& eventTypes, const std::string& extraFields = std::string());
	/// POST .../endpoints, requires 201, an ep_ id and a whsec_ secret.
	/// extraFields: more members, e.g. "\"authHeader\":{...}".

Event postEvent(const ApiClient& api, const std::string& account, const std::string& body);
	/// POST .../events with the body as given, requires 200 or 202 and a
	/// msg_ id; collects the delivery ids.

Event postEvent(const ApiClient& api, const std::string& account, const std::string& type,
	const std::string& dataJson, const std::string& idempotencyKey = std::string());

Poco::JSON::Object::Ptr getDelivery(const ApiClient& api, const std::string& account, const std::string& delivery);
	/// GET .../deliveries/<id>; null unless 200 with a JSON object.

Poco::JSON::Object::Ptr waitForDeliveryStatus(const ApiClient& api, const std::string& account,
	const std::string& delivery, const std::string& status, const Poco::Timespan& deadline = Poco::Timespan(20, 0));
	/// Polls until the delivery has this status; returns the last answer
	/// (which the caller checks), null when there was none.

std::string jsonString(const std::string& text);
	/// text as a JSON string literal, quotes included.

bool isIsoUtc(const std::string& text);
	/// 2026-11-27T16:05:09Z or with a fraction of a second.
Poco::Timestamp parseIsoUtc(const std::string& text);

std::string stringOf(const Poco::JSON::Object::Ptr& object, const std::string& key);
	/// The member as a string, "" when missing or not a string.
Poco::Int64 intOf(const Poco::JSON::Object::Ptr& object, const std::string& key);
	/// The member as an integer, -1 when missing, null or not a JSON integer.
bool isFalse(const Poco::JSON::Object::Ptr& object, const std::string& key);
	/// True when the member is the JSON literal false.
bool hasNull(const Poco::JSON::Object::Ptr& object, const std::string& key);
	/// True when the member exists and is null.

} // namespace Steps

} } // namespace Hookgate::Test

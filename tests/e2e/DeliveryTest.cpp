#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "SignatureVerifier.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

std::vector<std::string> sorted(std::vector<std::string> values)
{
	std::sort(values.begin(), values.end());
	return values;
}

} // namespace

TEST_CASE("A posted event arrives once, signed, with its data byte for byte", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	const ApiResponse account = api.post("/api/v1/accounts",
		R"({"id":"acme","name":"ACME AG","plan":"professional","webhooksEnabled":true})");
	INFO("create account -> " << account.describe());
	REQUIRE(account.status == 201);
	REQUIRE(account.json);
	CHECK(Steps::stringOf(account.json, "id") == "acme");
	CHECK(Steps::stringOf(account.json, "name") == "ACME AG");
	CHECK(Steps::stringOf(account.json, "plan") == "professional");

	const std::string endpointBody = "{\"url\":" + Steps::jsonString(receiver.url("/hook"))
		+ R"(,"authHeader":{"key":"Ocp-Apim-Subscription-Key","value":"s3cr3t"},"eventTypes":["appointment.booking.created"]})";
	const ApiResponse endpoint = api.post("/api/v1/accounts/acme/endpoints", endpointBody);
	INFO("create endpoint -> " << endpoint.describe());
	REQUIRE(endpoint.status == 201);
	REQUIRE(endpoint.json);
	const std::string endpointId = Steps::stringOf(endpoint.json, "id");
	const std::string secret = Steps::stringOf(endpoint.json, "secret");
	CHECK(endpointId.rfind("ep_", 0) == 0);
	REQUIRE(secret.rfind("whsec_", 0) == 0);
	const SignatureVerifier verifier(secret);
	CHECK(verifier.key().size() == 24);
	Poco::JSON::Object::Ptr authHeader = endpoint.json->getObject("authHeader");
	REQUIRE(authHeader);
	CHECK(Steps::stringOf(authHeader, "key") == "Ocp-Apim-Subscription-Key");
	CHECK(Steps::stringOf(authHeader, "value") != "s3cr3t");

	const std::string data = R"({"zeta":1,"alpha":{"b":[1,2.50,"ü\"x"],"a":null},"big":12345678901234567890})";
	const std::string eventBody = R"({"type":"appointment.booking.created","id":"booking-4711","data":)" + data + "}";
	const Poco::Timestamp postedAt;
	const ApiResponse event = api.post("/api/v1/accounts/acme/events", eventBody);
	INFO("post event -> " << event.describe());
	REQUIRE(event.status == 202);
	REQUIRE(event.json);
	const std::string messageId = Steps::stringOf(event.json, "id");
	REQUIRE(messageId.rfind("msg_", 0) == 0);
	CHECK(Steps::stringOf(event.json, "type") == "appointment.booking.created");
	Poco::JSON::Array::Ptr deliveries = event.json->getArray("deliveries");
	REQUIRE(deliveries);
	REQUIRE(deliveries->size() == 1);
	const std::string deliveryId = Steps::stringOf(deliveries->getObject(0), "id");
	CHECK(deliveryId.rfind("dlv_", 0) == 0);
	CHECK(Steps::stringOf(deliveries->getObject(0), "endpointId") == endpointId);

	REQUIRE(receiver.waitForCount(1, DEADLINE));
	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", deliveryId, "succeeded");
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	CHECK(Steps::stringOf(delivery, "status") == "succeeded");
	CHECK(Steps::stringOf(delivery, "id") == deliveryId);
	CHECK(Steps::stringOf(delivery, "endpointId") == endpointId);
	CHECK(Steps::stringOf(delivery, "eventId") == messageId);
	CHECK(Steps::stringOf(delivery, "eventType") == "appointment.booking.created");
	CHECK(Steps::stringOf(delivery, "transport") == "http");
	CHECK(Steps::intOf(delivery, "responseCode") == 200);
	CHECK(Steps::intOf(delivery, "attemptCount") == 1);
	CHECK(Steps::hasNull(delivery, "nextAttemptAt"));
	CHECK(Steps::hasNull(delivery, "replayOf"));
	CHECK(Steps::hasNull(delivery, "label"));
	CHECK(Steps::isFalse(delivery, "archived"));
	Poco::JSON::Array::Ptr attempts = delivery->getArray("attempts");
	REQUIRE(attempts);
	REQUIRE(attempts->size() == 1);
	CHECK(Steps::intOf(attempts->getObject(0), "responseCode") == 200);

	// Exactly one request: the delivery is finished, nothing more may come.
	CHECK_FALSE(receiver.waitForCount(2, Poco::Timespan(0, 500000)));
	const std::vector<RecordedRequest> requests = receiver.requests();
	REQUIRE(requests.size() == 1);
	const RecordedRequest& request = requests[0];
	CHECK(request.method == "POST");
	CHECK(request.uri == "/hook");

	// The payload: the nested envelope with the data exactly as sent.
	INFO("received body: " << request.body);
	CHECK(request.body.find(data) != std::string::npos);
	Poco::JSON::Object::Ptr payload = ApiClient::parseObject(request.body);
	REQUIRE(payload);
	CHECK(payload->size() == 5);
	CHECK(Steps::stringOf(payload, "id") == messageId);
	CHECK(Steps::stringOf(payload, "type") == "appointment.booking.created");
	CHECK(Steps::stringOf(payload, "source") == "hookgate");
	CHECK(payload->getObject("data"));
	const std::string created = Steps::stringOf(payload, "created");
	REQUIRE(Steps::isIsoUtc(created));
	const Poco::Timestamp createdAt = Steps::parseIsoUtc(created);
	CHECK(std::llabs(createdAt.epochTime() - postedAt.epochTime()) <= 60);
	const std::string expectedBody = "{\"id\":\"" + messageId + "\",\"type\":\"appointment.booking.created\",\"created\":\""
		+ created + "\",\"source\":\"hookgate\",\"data\":" + data + "}";
	CHECK(request.body == expectedBody);

	// The headers.
	CHECK(request.headers.get("Content-Type", "") == "application/json");
#ifdef HOOKGATE_VERSION
	CHECK(request.headers.get("User-Agent", "") == std::string("hookgate/") + HOOKGATE_VERSION);
#else
	CHECK(request.headers.get("User-Agent", "").rfind("hookgate/", 0) == 0);
#endif
	CHECK(request.headers.get("webhook-id", "") == messageId);
	const std::string timestamp = request.headers.get("webhook-timestamp", "");
	Poco::Int64 seconds = 0;
	REQUIRE(Poco::NumberParser::tryParse64(timestamp, seconds));
	CHECK(std::llabs(seconds - Poco::Timestamp().epochTime()) <= 60);
	const std::string signature = request.headers.get("webhook-signature", "");
	INFO("webhook-signature: " << signature << ", expected entry: " << verifier.sign(messageId, timestamp, request.body));
	CHECK(verifier.verify(signature, messageId, timestamp, request.body));
	CHECK(request.headers.get("Ocp-Apim-Subscription-Key", "") == "s3cr3t");

	// The endpoint never shows the secret or the full auth header value.
	const ApiResponse endpointNow = api.get("/api/v1/accounts/acme/endpoints/" + endpointId);
	INFO("GET endpoint -> " << endpointNow.describe());
	REQUIRE(endpointNow.status == 200);
	REQUIRE(endpointNow.json);
	CHECK_FALSE(endpointNow.json->has("secret"));
	REQUIRE(endpointNow.json->getObject("authHeader"));
	CHECK(Steps::stringOf(endpointNow.json->getObject("authHeader"), "key") == "Ocp-Apim-Subscription-Key");
	CHECK(Steps::stringOf(endpointNow.json->getObject("authHeader"), "value") != "s3cr3t");
	CHECK(endpointNow.body.find("s3cr3t") == std::string::npos);

	// An event type the endpoint does not subscribe creates no delivery.
	const Steps::Event other = Steps::postEvent(api, "acme", "customer.created", R"({"customer":{"id":1}})");
	CHECK(other.status == 202);
	CHECK(other.deliveryIds.empty());
	const ApiResponse list = api.get("/api/v1/accounts/acme/endpoints/" + endpointId + "/deliveries");
	INFO("deliveries of the endpoint -> " << list.describe());
	REQUIRE(list.status == 200);
	REQUIRE(list.json);
	REQUIRE(list.json->getArray("items"));
	CHECK(list.json->getArray("items")->size() == 1);
	CHECK(receiver.count() == 1);
}

TEST_CASE("Subscriptions match exact types, prefix wildcards and the star", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme", "professional");
	const Steps::Endpoint exact = Steps::createEndpoint(api, "acme", receiver.url("/exact"), {"appointment.booking.created"});
	const Steps::Endpoint prefix = Steps::createEndpoint(api, "acme", receiver.url("/prefix"), {"appointment.booking.*"});
	const Steps::Endpoint star = Steps::createEndpoint(api, "acme", receiver.url("/star"), {"*"});

	const std::map<std::string, std::vector<std::string>> expected = {
		{"appointment.booking.created", {exact.id, prefix.id, star.id}},
		{"appointment.booking.cancelled", {prefix.id, star.id}},
		{"appointment.updated", {star.id}},
		{"customer.created", {star.id}},
		{"event.booking.created", {star.id}},
	};
	std::size_t total = 0;
	for (const auto& entry: expected)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", entry.first, "{\"n\":1}");
		INFO("event type " << entry.first << " -> " << event.response.describe());
		CHECK(event.status == 202);
		CHECK(sorted(event.endpointIds) == sorted(entry.second));
		total += entry.second.size();
	}

	REQUIRE(receiver.waitForCount(total, DEADLINE));
	CHECK_FALSE(receiver.waitForCount(total + 1, Poco::Timespan(0, 500000)));
	std::map<std::string, std::multiset<std::string>> typesByPath;
	for (const RecordedRequest& request: receiver.requests())
	{
		Poco::JSON::Object::Ptr payload = ApiClient::parseObject(request.body);
		typesByPath[request.uri].insert(Steps::stringOf(payload, "type"));
	}
	CHECK(typesByPath["/exact"] == std::multiset<std::string>{"appointment.booking.created"});
	CHECK(typesByPath["/prefix"] == std::multiset<std::string>{"appointment.booking.cancelled", "appointment.booking.created"});
	CHECK(typesByPath["/star"] == std::multiset<std::string>{"appointment.booking.cancelled", "appointment.booking.created",
		"appointment.updated", "customer.created", "event.booking.created"});
}

TEST_CASE("The raw and downloaded payload of a delivery are exactly the bytes the receiver got", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created",
		R"({"b":[1,2.50,"\u00fc"],"a":{"z":null,"y":true}})");
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string deliveryId = event.deliveryIds[0];
	REQUIRE(receiver.waitForCount(1, DEADLINE));
	const std::string sent = receiver.requests()[0].body;

	const ApiResponse raw = api.get("/api/v1/accounts/acme/deliveries/" + deliveryId + "/raw");
	INFO("GET .../raw -> " << raw.describe());
	CHECK(raw.status == 200);
	CHECK(raw.contentType.rfind("application/json", 0) == 0);
	CHECK(raw.body == sent);

	const ApiResponse download = api.get("/api/v1/accounts/acme/deliveries/" + deliveryId + "/download");
	INFO("GET .../download -> " << download.describe());
	CHECK(download.status == 200);
	CHECK(download.body == sent);
	CHECK(download.headers.get("Content-Disposition", "")
		== "attachment; filename=\"appointment.booking.created_" + deliveryId + ".json\"");
}

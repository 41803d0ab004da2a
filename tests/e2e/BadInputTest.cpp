#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <set>

using namespace Hookgate::Test;

namespace {

/// Checks status and the exact error body (ErrorCheck.h), with a message naming `messageMentions`.
void checkError(const std::string& what, const ApiResponse& response, int status, const std::string& code,
	const std::string& messageMentions = std::string())
{
	checkApiError(what, response, status, code,
		messageMentions.empty() ? std::vector<std::string>{} : std::vector<std::string>{messageMentions});
}

RawRequest adminRequest(const std::string& method, const std::string& path)
{
	RawRequest request;
	request.method = method;
	request.path = path;
	request.authorization = "Bearer " + GatewayProcess::ADMIN_TOKEN;
	return request;
}

RawRequest jsonPost(const std::string& path, const std::string& body, const std::string& contentType = "application/json")
{
	RawRequest request = adminRequest("POST", path);
	request.body = body;
	request.contentType = contentType;
	return request;
}

std::string padding(std::size_t size)
{
	return std::string(size, 'x');
}

} // namespace

TEST_CASE("Bad requests get the documented error and change nothing", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.api.maxBodySize", "4096"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	// What must stay unchanged.
	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"},
		R"("authHeader":{"key":"X-Api-Key","value":"k3y-v4lue"})");
	const std::string eventBody = R"({"type":"appointment.booking.created","id":"booking-1","data":{"booking":1}})";
	const Steps::Event event = Steps::postEvent(api, "acme", eventBody);
	REQUIRE(event.status == 202);
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded"), "status") == "succeeded");

	const std::string accountPath = "/api/v1/accounts/acme";
	const std::string endpointPath = accountPath + "/endpoints/" + endpoint.id;
	const std::string deliveryPath = accountPath + "/deliveries/" + event.deliveryIds[0];
	const std::string eventsPath = accountPath + "/events";
	const ApiResponse accountBefore = api.get(accountPath);
	const ApiResponse endpointBefore = api.get(endpointPath);
	const ApiResponse deliveryBefore = api.get(deliveryPath);
	REQUIRE(accountBefore.status == 200);
	REQUIRE(endpointBefore.status == 200);
	REQUIRE(deliveryBefore.status == 200);

	// Bodies.
	checkError("invalid JSON", api.send(jsonPost(eventsPath, R"({"type":"appointment.booking.created","data":{)")),
		400, "invalid_json");
	checkError("JSON that is not an object", api.send(jsonPost(eventsPath, R"(["appointment.booking.created"])")),
		400, "invalid_json");
	checkError("JSON body sent as text/plain", api.send(jsonPost(eventsPath, eventBody, "text/plain")),
		415, "unsupported_media_type");
	checkError("unknown event type", api.send(jsonPost(eventsPath, R"({"type":"appointment.booking.exploded","data":{}})")),
		422, "validation_failed", "type");

	const std::string prefix = R"({"type":"customer.created","data":{"pad":")";
	const std::string suffix = "\"}}";
	const std::string tooLarge = prefix + padding(8192) + suffix;
	checkError("body of " + std::to_string(tooLarge.size()) + " bytes over maxBodySize 4096",
		api.send(jsonPost(eventsPath, tooLarge)), 413, "payload_too_large");
	RawRequest chunked = jsonPost(eventsPath, tooLarge);
	chunked.chunked = true;
	checkError("chunked body of " + std::to_string(tooLarge.size()) + " bytes over maxBodySize 4096",
		api.send(chunked), 413, "payload_too_large");
	{
		// Just under the limit is fine (customer.created: no endpoint subscribes, nothing changes).
		const std::string fits = prefix + padding(4000 - prefix.size() - suffix.size()) + suffix;
		const ApiResponse response = api.send(jsonPost(eventsPath, fits));
		INFO("body of " << fits.size() << " bytes -> " << response.describe());
		CHECK(response.status == 202);
		REQUIRE(response.json);
		REQUIRE(response.json->getArray("deliveries"));
		CHECK(response.json->getArray("deliveries")->size() == 0);
	}

	checkError("authHeader value with CR/LF", api.send(jsonPost(accountPath + "/endpoints",
		"{\"url\":" + Steps::jsonString(receiver.url("/other"))
		+ R"(,"authHeader":{"key":"X-Api-Key","value":"a\r\nX-Injected: 1"},"eventTypes":["customer.created"]})")),
		422, "validation_failed", "authHeader");

	// Authentication.
	RawRequest noToken = adminRequest("GET", "/api/v1/accounts");
	noToken.authorization.reset();
	checkError("no Authorization header", api.send(noToken), 401, "unauthorized");
	RawRequest wrongToken = adminRequest("GET", "/api/v1/accounts");
	wrongToken.authorization = "Bearer e2e-wrong-token";
	checkError("wrong bearer token", api.send(wrongToken), 401, "unauthorized");
	RawRequest noTokenPost = jsonPost(eventsPath, R"({"type":"appointment.booking.created","data":{"booking":2}})");
	noTokenPost.authorization.reset();
	checkError("event without a token", api.send(noTokenPost), 401, "unauthorized");

	// Routing.
	checkError("unknown path", api.send(adminRequest("GET", "/api/v1/nothing-here")), 404, "not_found");
	checkError("unknown path outside the API", api.send(adminRequest("GET", "/nothing-here")), 404, "not_found");
	checkError("DELETE on the accounts collection", api.send(adminRequest("DELETE", "/api/v1/accounts")),
		405, "method_not_allowed");

	// Resources.
	checkError("account id that exists", api.send(jsonPost("/api/v1/accounts",
		R"({"id":"acme","name":"Other","plan":"basic","webhooksEnabled":false})")), 409, "conflict");
	checkError("unknown account", api.send(adminRequest("GET", "/api/v1/accounts/nobody")), 404, "not_found");
	checkError("event for an unknown account", api.send(jsonPost("/api/v1/accounts/nobody/events",
		R"({"type":"appointment.booking.created","data":{}})")), 404, "not_found");
	checkError("unknown delivery", api.send(adminRequest("GET", accountPath + "/deliveries/dlv_doesnotexist0000000000")),
		404, "not_found");

	// Still serving, and nothing changed.
	CHECK(GatewayProcess::healthStatus(gateway.port()) == 200);
	const ApiResponse accountAfter = api.get(accountPath);
	const ApiResponse endpointAfter = api.get(endpointPath);
	const ApiResponse deliveryAfter = api.get(deliveryPath);
	CHECK(accountAfter.status == 200);
	CHECK(endpointAfter.status == 200);
	CHECK(deliveryAfter.status == 200);
	CHECK(ApiClient::canonical(accountAfter.json) == ApiClient::canonical(accountBefore.json));
	CHECK(ApiClient::canonical(endpointAfter.json) == ApiClient::canonical(endpointBefore.json));
	CHECK(ApiClient::canonical(deliveryAfter.json) == ApiClient::canonical(deliveryBefore.json));

	const ApiResponse accounts = api.get("/api/v1/accounts");
	INFO("accounts -> " << accounts.describe());
	REQUIRE(accounts.json);
	REQUIRE(accounts.json->getArray("items"));
	CHECK(accounts.json->getArray("items")->size() == 1);
	const ApiResponse endpoints = api.get(accountPath + "/endpoints");
	INFO("endpoints -> " << endpoints.describe());
	REQUIRE(endpoints.json);
	REQUIRE(endpoints.json->getArray("items"));
	CHECK(endpoints.json->getArray("items")->size() == 1);

	const Steps::Event again = Steps::postEvent(api, "acme", eventBody);
	CHECK(again.status == 200);
	CHECK(again.id == event.id);
	CHECK(again.deliveryIds == event.deliveryIds);
	CHECK(receiver.count() == 1);
}

TEST_CASE("A JSON body with a member name twice is refused with invalid_json naming it, and creates nothing", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	checkApiError("account with id twice", api.post("/api/v1/accounts", R"({"id":"a","id":"b","plan":"basic"})"), 400, "invalid_json",
		{"duplicate member name \"id\""});
	CHECK(api.get("/api/v1/accounts/a").status == 404);
	CHECK(api.get("/api/v1/accounts/b").status == 404);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", "http://127.0.0.1:9/hook", {"*"});  // an accepted event would be logged
	// In an event's data too: it is delivered as sent, and a receiver's parser might take either value.
	checkApiError("event with a duplicate inside data",
		api.post("/api/v1/accounts/acme/events", R"({"type":"customer.created","data":{"email":"a@x.example","email":"b@x.example"}})"),
		400, "invalid_json", {"duplicate member name \"email\""});
	checkApiError("event with type twice",
		api.post("/api/v1/accounts/acme/events", R"({"type":"customer.created","type":"lead.created","data":{}})"),
		400, "invalid_json", {"duplicate member name \"type\""});
	const ApiResponse log = api.get("/api/v1/accounts/acme/endpoints/" + endpoint.id + "/deliveries");
	INFO(log.describe());
	CHECK(log.status == 200);
	CHECK(log.body.find("customer.created") == std::string::npos);
	CHECK(log.body.find("lead.created") == std::string::npos);
}

#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "LogSteps.h"
#include "Receiver.h"
#include "SignatureVerifier.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberParser.h>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);
const std::string TIMES = "\xC3\x97";  // U+00D7 MULTIPLICATION SIGN in UTF-8

Poco::Int64 timestampOf(const RecordedRequest& request)
{
	Poco::Int64 seconds = -1;
	Poco::NumberParser::tryParse64(request.headers.get("webhook-timestamp", ""), seconds);
	return seconds;
}

/// Waits until the clock is in a later second than `seconds`, so that a
/// fresh webhook-timestamp can be told from the one before.
void waitForNextSecond(Poco::Int64 seconds)
{
	REQUIRE(waitUntil([&] { return Poco::Timestamp().epochTime() > seconds; }, Poco::Timespan(5, 0), Poco::Timespan(0, 10000)));
}

/// POST .../replay without a body (Content-Length: 0), as a client would send it.
ApiResponse replay(const ApiClient& api, const std::string& deliveryId, const std::string& account = "acme")
{
	RawRequest request;
	request.method = "POST";
	request.path = LogSteps::deliveryPath(account, deliveryId, "/replay");
	request.body = std::string();
	request.authorization = "Bearer " + GatewayProcess::ADMIN_TOKEN;
	return api.send(request);
}

/// The 202 answer of a replay: the new delivery, pointing at the original.
std::string checkReplayAnswer(const ApiResponse& response, const Poco::JSON::Object::Ptr& original)
{
	INFO("POST .../replay -> " << response.describe());
	INFO("original: " << ApiClient::canonical(original));
	REQUIRE(response.status == 202);
	REQUIRE(response.json);
	const std::string id = Steps::stringOf(response.json, "id");
	CHECK(id.rfind("dlv_", 0) == 0);
	CHECK(id != Steps::stringOf(original, "id"));
	CHECK(Steps::stringOf(response.json, "replayOf") == Steps::stringOf(original, "id"));
	CHECK(Steps::stringOf(response.json, "label") == "replay");
	CHECK(Steps::intOf(response.json, "replayCount") == 0);
	CHECK(Steps::stringOf(response.json, "endpointId") == Steps::stringOf(original, "endpointId"));
	CHECK(Steps::stringOf(response.json, "eventId") == Steps::stringOf(original, "eventId"));
	CHECK(Steps::stringOf(response.json, "eventType") == Steps::stringOf(original, "eventType"));
	CHECK(Steps::stringOf(response.json, "transport") == "http");
	CHECK(Steps::isFalse(response.json, "archived"));
	CHECK(Steps::isIsoUtc(Steps::stringOf(response.json, "createdAt")));
	const std::string status = Steps::stringOf(response.json, "status");
	CHECK((status == "pending" || status == "succeeded"));
	return id;
}

/// A request the gateway sent again: same body and webhook-id, a timestamp
/// later than `earlierThan` and not in the future, a valid signature.
void checkResent(const RecordedRequest& request, const RecordedRequest& first, const std::string& webhookId,
	Poco::Int64 laterThan, const SignatureVerifier& verifier)
{
	const std::string timestamp = request.headers.get("webhook-timestamp", "");
	INFO("replayed request: webhook-id " << request.headers.get("webhook-id", "") << ", webhook-timestamp " << timestamp
		<< ", webhook-signature " << request.headers.get("webhook-signature", "") << ", body " << request.body);
	CHECK(request.body == first.body);
	CHECK(request.headers.get("webhook-id", "") == webhookId);
	CHECK(timestampOf(request) > laterThan);
	CHECK(timestampOf(request) <= Poco::Timestamp().epochTime() + 1);
	CHECK(verifier.verify(request.headers.get("webhook-signature", ""), webhookId, timestamp, request.body));
	CHECK(request.headers.get("Content-Type", "") == "application/json");
}

} // namespace

TEST_CASE("A replayed delivery arrives again with the same body and webhook-id freshly signed and both carry their labels", "[e2e]")
{
	Receiver receiver(Receiver::always(200));
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});
	const SignatureVerifier verifier(endpoint.secret);
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", R"({"booking":{"id":4711,"price":2.50}})");
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string originalId = event.deliveryIds[0];
	Poco::JSON::Object::Ptr original = Steps::waitForDeliveryStatus(api, "acme", originalId, "succeeded", DEADLINE);
	REQUIRE(Steps::stringOf(original, "status") == "succeeded");
	REQUIRE(receiver.count() == 1);
	const RecordedRequest first = receiver.requests()[0];
	CHECK(Steps::intOf(original, "replayCount") == 0);
	CHECK(Steps::hasNull(original, "label"));
	CHECK(Steps::hasNull(original, "replayOf"));

	// The first replay.
	waitForNextSecond(timestampOf(first));
	const std::string replay1 = checkReplayAnswer(replay(api, originalId), original);
	REQUIRE(receiver.waitForCount(2, DEADLINE));
	checkResent(receiver.requests()[1], first, event.id, timestampOf(first), verifier);

	Poco::JSON::Object::Ptr replayed = Steps::waitForDeliveryStatus(api, "acme", replay1, "succeeded", DEADLINE);
	{
		INFO("replay: " << ApiClient::canonical(replayed));
		CHECK(Steps::stringOf(replayed, "status") == "succeeded");
		CHECK(Steps::stringOf(replayed, "replayOf") == originalId);
		CHECK(Steps::stringOf(replayed, "label") == "replay");
		CHECK(Steps::intOf(replayed, "replayCount") == 0);
		CHECK(Steps::intOf(replayed, "attemptCount") == 1);
		CHECK(Steps::intOf(replayed, "responseCode") == 200);
	}
	original = Steps::getDelivery(api, "acme", originalId);
	{
		INFO("original after one replay: " << ApiClient::canonical(original));
		CHECK(Steps::intOf(original, "replayCount") == 1);
		CHECK(Steps::stringOf(original, "label") == "replayed 1" + TIMES);
		CHECK(Steps::hasNull(original, "replayOf"));
		CHECK(Steps::stringOf(original, "status") == "succeeded");
		CHECK(Steps::intOf(original, "attemptCount") == 1);
	}
	const ApiResponse rawOriginal = api.get(LogSteps::deliveryPath("acme", originalId, "/raw"));
	const ApiResponse rawReplay = api.get(LogSteps::deliveryPath("acme", replay1, "/raw"));
	CHECK(rawOriginal.status == 200);
	CHECK(rawReplay.status == 200);
	CHECK(rawReplay.body == first.body);

	// The second replay.
	waitForNextSecond(timestampOf(receiver.requests()[1]));
	const std::string replay2 = checkReplayAnswer(replay(api, originalId), original);
	CHECK(replay2 != replay1);
	REQUIRE(receiver.waitForCount(3, DEADLINE));
	checkResent(receiver.requests()[2], first, event.id, timestampOf(receiver.requests()[1]), verifier);
	CHECK(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", replay2, "succeeded", DEADLINE), "status") == "succeeded");
	original = Steps::getDelivery(api, "acme", originalId);
	{
		INFO("original after two replays: " << ApiClient::canonical(original));
		CHECK(Steps::intOf(original, "replayCount") == 2);
		CHECK(Steps::stringOf(original, "label") == "replayed 2" + TIMES);
	}
	CHECK_FALSE(receiver.waitForCount(4, Poco::Timespan(0, 500000)));

	// The log shows the three: the replays newest first, with their labels.
	const LogSteps::Page page = LogSteps::fetchPage(api, "acme", endpoint.id, "");
	INFO(page.text);
	REQUIRE(page.status == 200);
	CHECK(page.ids == std::vector<std::string>{replay2, replay1, originalId});
	REQUIRE(page.items.size() == 3);
	CHECK(Steps::stringOf(page.items[0], "label") == "replay");
	CHECK(Steps::stringOf(page.items[1], "label") == "replay");
	CHECK(Steps::stringOf(page.items[2], "label") == "replayed 2" + TIMES);
	CHECK(Steps::intOf(page.items[2], "replayCount") == 2);
	CHECK(Steps::stringOf(page.items[0], "replayOf") == originalId);
}

TEST_CASE("A failed delivery can be replayed and reaches the receiver once it accepts", "[e2e]")
{
	// The 3 attempts of the original get 500; everything after that 200.
	Receiver receiver(Receiver::failTimes(3, 500));
	receiver.start();
	GatewayProcess gateway;  // retrySchedule 100ms, 100ms: 3 attempts
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.created"});
	const SignatureVerifier verifier(endpoint.secret);
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"customer":{"id":7}})");
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string originalId = event.deliveryIds[0];
	Poco::JSON::Object::Ptr original = Steps::waitForDeliveryStatus(api, "acme", originalId, "failed", DEADLINE);
	REQUIRE(Steps::stringOf(original, "status") == "failed");
	REQUIRE(receiver.count() == 3);
	const RecordedRequest first = receiver.requests()[0];

	waitForNextSecond(timestampOf(receiver.requests()[2]));
	const std::string replayId = checkReplayAnswer(replay(api, originalId), original);
	REQUIRE(receiver.waitForCount(4, DEADLINE));
	checkResent(receiver.requests()[3], first, event.id, timestampOf(receiver.requests()[2]), verifier);
	CHECK(receiver.requests()[3].answeredWith == 200);

	Poco::JSON::Object::Ptr replayed = Steps::waitForDeliveryStatus(api, "acme", replayId, "succeeded", DEADLINE);
	INFO("replay: " << ApiClient::canonical(replayed));
	CHECK(Steps::stringOf(replayed, "status") == "succeeded");
	CHECK(Steps::intOf(replayed, "attemptCount") == 1);
	CHECK(Steps::stringOf(replayed, "label") == "replay");

	original = Steps::getDelivery(api, "acme", originalId);
	INFO("original: " << ApiClient::canonical(original));
	CHECK(Steps::stringOf(original, "status") == "failed");  // the original's outcome stays
	CHECK(Steps::intOf(original, "attemptCount") == 3);
	CHECK(Steps::intOf(original, "replayCount") == 1);
	CHECK(Steps::stringOf(original, "label") == "replayed 1" + TIMES);
	CHECK_FALSE(receiver.waitForCount(5, Poco::Timespan(0, 500000)));
}

TEST_CASE("Replaying an unknown delivery or another account's delivery is 404 and sends nothing", "[e2e]")
{
	Receiver receiver(Receiver::always(200));
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	Steps::createAccount(api, "other");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"customer":{"id":8}})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE), "status")
		== "succeeded");

	checkApiError("POST replay of dlv_doesnotexist", replay(api, "dlv_doesnotexist"), 404, "not_found", {"dlv_doesnotexist"});
	checkApiError("POST replay of acme's delivery under account other",
		replay(api, event.deliveryIds[0], "other"), 404, "not_found");
	checkApiError("POST replay under an unknown account",
		replay(api, event.deliveryIds[0], "nobody"), 404, "not_found");

	CHECK_FALSE(receiver.waitForCount(2, Poco::Timespan(0, 500000)));
	Poco::JSON::Object::Ptr original = Steps::getDelivery(api, "acme", event.deliveryIds[0]);
	CHECK(Steps::intOf(original, "replayCount") == 0);
	CHECK(Steps::hasNull(original, "label"));
}

TEST_CASE("A replay posted without a body and without Content-Length is answered at once", "[e2e]")
{
	Receiver receiver(Receiver::always(200));
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"customer":{"id":9}})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(Steps::stringOf(Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE), "status")
		== "succeeded");

	// What `curl -X POST <url>` sends: an HTTP/1.1 request with neither Content-Length nor
	// Transfer-Encoding, i.e. a body of length zero (RFC 9112, 6.3), on a connection kept open.
	Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", gateway.port()));
	socket.setReceiveTimeout(Poco::Timespan(5, 0));
	const std::string request = "POST " + LogSteps::deliveryPath("acme", event.deliveryIds[0], "/replay") + " HTTP/1.1\r\n"
		"Host: 127.0.0.1:" + std::to_string(gateway.port()) + "\r\n"
		"Authorization: Bearer " + GatewayProcess::ADMIN_TOKEN + "\r\n"
		"Accept: application/json\r\n\r\n";
	socket.sendBytes(request.data(), static_cast<int>(request.size()));
	const Poco::Timestamp sentAt;
	std::string answer;
	char buffer[4096];
	try
	{
		while (answer.find("\r\n") == std::string::npos)
		{
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) break;
			answer.append(buffer, static_cast<std::size_t>(n));
		}
	}
	catch (const Poco::TimeoutException&)
	{
	}
	INFO("answer after " << sentAt.elapsed() / 1000 << " ms: " << answer);
	CHECK(answer.rfind("HTTP/1.1 202", 0) == 0);
	CHECK(receiver.waitForCount(2, DEADLINE));
}

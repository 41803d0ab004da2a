#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "SignatureVerifier.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

std::vector<Poco::Int64> attemptCodes(const Poco::JSON::Object::Ptr& delivery)
{
	std::vector<Poco::Int64> codes;
	Poco::JSON::Array::Ptr attempts = delivery ? delivery->getArray("attempts") : nullptr;
	if (!attempts) return codes;
	for (std::size_t i = 0; i < attempts->size(); ++i)
		codes.push_back(Steps::intOf(attempts->getObject(static_cast<unsigned>(i)), "responseCode"));
	return codes;
}

} // namespace

TEST_CASE("A delivery that fails twice succeeds on the third attempt with the same webhook-id", "[e2e]")
{
	Receiver receiver(Receiver::failTimes(2, 500));
	receiver.start();
	GatewayProcess gateway;  // retrySchedule = 100ms, 100ms; jitter = 0
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", R"({"booking":42})");
	REQUIRE(event.status == 202);
	REQUIRE(event.deliveryIds.size() == 1);

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	CHECK(Steps::stringOf(delivery, "status") == "succeeded");
	CHECK(Steps::intOf(delivery, "attemptCount") == 3);
	CHECK(Steps::intOf(delivery, "responseCode") == 200);
	CHECK(Steps::hasNull(delivery, "nextAttemptAt"));
	CHECK(attemptCodes(delivery) == std::vector<Poco::Int64>{500, 500, 200});

	CHECK_FALSE(receiver.waitForCount(4, Poco::Timespan(0, 500000)));
	const std::vector<RecordedRequest> requests = receiver.requests();
	REQUIRE(requests.size() == 3);
	const SignatureVerifier verifier(endpoint.secret);
	for (std::size_t i = 0; i < requests.size(); ++i)
	{
		INFO("request #" << i + 1 << " answered " << requests[i].answeredWith);
		CHECK(requests[i].headers.get("webhook-id", "") == event.id);
		CHECK(requests[i].body == requests[0].body);
		const std::string timestamp = requests[i].headers.get("webhook-timestamp", "");
		CHECK(verifier.verify(requests[i].headers.get("webhook-signature", ""), event.id, timestamp, requests[i].body));
		if (i > 0)
		{
			// jitter 0: a retry never comes before its scheduled delay of 100 ms
			const Poco::Timestamp::TimeDiff gap = requests[i].arrivedAt - requests[i - 1].arrivedAt;
			CHECK(gap >= 90000);
		}
	}
}

TEST_CASE("A delivery that always fails is failed after exactly three attempts", "[e2e]")
{
	Receiver receiver(Receiver::always(500));
	receiver.start();
	GatewayProcess gateway;  // retrySchedule = 100ms, 100ms: 1 attempt + 2 retries
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", R"({"booking":43})");
	REQUIRE(event.status == 202);
	REQUIRE(event.deliveryIds.size() == 1);

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "failed", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	CHECK(Steps::stringOf(delivery, "status") == "failed");
	CHECK(Steps::intOf(delivery, "attemptCount") == 3);
	CHECK(Steps::intOf(delivery, "responseCode") == 500);
	CHECK(Steps::hasNull(delivery, "nextAttemptAt"));
	CHECK(attemptCodes(delivery) == std::vector<Poco::Int64>{500, 500, 500});

	CHECK_FALSE(receiver.waitForCount(4, Poco::Timespan(0, 500000)));
	CHECK(receiver.count() == 3);
	for (const RecordedRequest& request: receiver.requests())
		CHECK(request.headers.get("webhook-id", "") == event.id);
}

// Issue 5: signing secret rotation without downtime.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "SignatureVerifier.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

std::vector<std::string> entries(const std::string& header)
{
	std::vector<std::string> result;
	std::istringstream in(header);
	std::string entry;
	while (in >> entry) result.push_back(entry);
	return result;
}

} // namespace

TEST_CASE("After a secret rotation receivers knowing only the old or only the new secret both verify the same delivery", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"appointment.booking.created"});
	const std::string oldSecret = endpoint.secret;
	CHECK(AccountSteps::secretOf(api, "acme", endpoint.id) == oldSecret);
	const SignatureVerifier oldVerifier(oldSecret);

	// Before the rotation: one signature, by the old secret.
	Steps::postEvent(api, "acme", "appointment.booking.created", R"({"before":"rotation"})");
	REQUIRE(receiver.waitForCount(1, DEADLINE));
	{
		const RecordedRequest request = receiver.requests()[0];
		const std::string signature = request.headers.get("webhook-signature", "");
		INFO("before the rotation, webhook-signature: " << signature);
		CHECK(entries(signature).size() == 1);
		CHECK(oldVerifier.verify(signature, request.headers.get("webhook-id", ""), request.headers.get("webhook-timestamp", ""), request.body));
	}

	const std::string rotatePath = "/api/v1/accounts/acme/endpoints/" + endpoint.id + "/secret/rotate";
	const ApiResponse rotated = api.post(rotatePath, "{}");
	INFO("POST " << rotatePath << " -> " << rotated.describe());
	REQUIRE(rotated.status == 200);
	REQUIRE(rotated.json);
	const std::string newSecret = Steps::stringOf(rotated.json, "secret");
	REQUIRE(newSecret.rfind("whsec_", 0) == 0);
	CHECK(newSecret != oldSecret);
	const SignatureVerifier newVerifier(newSecret);
	CHECK(newVerifier.key().size() == 24);
	CHECK(AccountSteps::secretOf(api, "acme", endpoint.id) == newSecret);
	CHECK_FALSE(AccountSteps::getEndpoint(api, "acme", endpoint.id)->has("secret"));

	// During the overlap: one delivery, two v1 entries, each verifier finds its own.
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", R"({"after":"rotation"})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(receiver.waitForCount(2, DEADLINE));
	CHECK_FALSE(receiver.waitForCount(3, Poco::Timespan(0, 500000)));
	const RecordedRequest request = receiver.requests()[1];
	const std::string id = request.headers.get("webhook-id", "");
	const std::string timestamp = request.headers.get("webhook-timestamp", "");
	const std::string signature = request.headers.get("webhook-signature", "");
	INFO("after the rotation, webhook-signature: " << signature << "\nold secret signs: " << oldVerifier.sign(id, timestamp, request.body)
		<< "\nnew secret signs: " << newVerifier.sign(id, timestamp, request.body));
	CHECK(id == event.id);
	const std::vector<std::string> signatures = entries(signature);
	REQUIRE(signatures.size() == 2);
	CHECK(signatures[0].rfind("v1,", 0) == 0);
	CHECK(signatures[1].rfind("v1,", 0) == 0);
	CHECK(signatures[0] != signatures[1]);
	CHECK(oldVerifier.verify(signature, id, timestamp, request.body));
	CHECK(newVerifier.verify(signature, id, timestamp, request.body));
	// Each receiver's check uses only its own entry.
	CHECK(oldVerifier.verify(signatures[0], id, timestamp, request.body) != oldVerifier.verify(signatures[1], id, timestamp, request.body));
	CHECK(newVerifier.verify(signatures[0], id, timestamp, request.body) != newVerifier.verify(signatures[1], id, timestamp, request.body));
	// A receiver with some other secret verifies nothing (the check can fail).
	const SignatureVerifier stranger("whsec_" + SignatureVerifier::base64Encode(
		reinterpret_cast<const unsigned char*>("a secret nobody else has"), 24));
	CHECK_FALSE(stranger.verify(signature, id, timestamp, request.body));
	// The signature covers the body: a changed body verifies with neither.
	CHECK_FALSE(oldVerifier.verify(signature, id, timestamp, request.body + " "));
	CHECK_FALSE(newVerifier.verify(signature, id, timestamp, request.body + " "));
}

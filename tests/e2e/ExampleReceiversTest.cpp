// Issue 16, part 7: the receivers users copy from examples/ (examples/receiver.py, Python's
// standard library; examples/node-receiver/receiver.mjs, the standardwebhooks package from npm)
// verify what the real gateway sends, and refuse what another secret signed.
//
// Each receiver runs as users run it (WEBHOOK_SECRET in the environment, the port as the first
// argument: 0 picks a free one) and prints one JSON object per line: {"listening": port} once,
// then {"verified": webhook-id, "type", "signatures", "data"} or {"rejected": webhook-id, "reason"}
// per request. The store plays no part in what is shown here, so it runs on SQLite only.

#include "ApiClient.h"
#include "GatewayProcess.h"
#include "ProcessOutput.h"
#include "SignatureVerifier.h"
#include "Steps.h"
#include "TestFailureListener.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Process.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);

/// The data of the events posted below; the receivers print it back as they parsed it.
const std::string DATA = R"({"appointment":{"uuid":"3f1c9a52-7d2e-4c1b-9a77-0c4f1e2b8d10","start":"2026-12-03T09:30:00Z"},)"
	R"("customer":{"name":"Erika Muster","email":"erika@example.com"},"price":{"amount":180.5,"tags":[]}})";

/// One of the example receivers, started on a free loopback port with a secret.
class ExampleReceiver
{
public:
	enum class Kind { Python, Node };

	ExampleReceiver(Kind kind, const std::string& secret):
		_kind(kind)
	{
		const std::string examples = std::string(HOOKGATE_SOURCE_DIR) + "/examples";
		std::string command;
		Poco::Process::Args args;
		if (kind == Kind::Python)
		{
			command = "/usr/bin/python3";
			args = {examples + "/receiver.py", "0"};
		}
		else
		{
			const std::string folder = examples + "/node-receiver";
			if (!Poco::File(folder + "/node_modules/standardwebhooks/package.json").exists())
				FAIL("standardwebhooks is not installed in " << folder
					<< ": run `npm ci --prefix examples/node-receiver --no-audit --no-fund` (scripts/test does)");
			command = HOOKGATE_NODE_BINARY;
			args = {folder + "/receiver.mjs", "0"};
		}
		Poco::Process::Env environment{{"WEBHOOK_SECRET", secret}};
		environment["PORT"] = "9";  // the argument wins over the environment
		Poco::ProcessHandle handle = Poco::Process::launch(command, args, examples, nullptr, _output.stdoutPipe(),
			_output.stderrPipe(), environment);
		_output.startDraining();
		_process = std::make_unique<Poco::ProcessHandle>(handle);

		waitUntil([&] { return !lines("listening").empty() || !Poco::Process::isRunning(*_process); }, DEADLINE);
		const auto listening = lines("listening");
		if (listening.empty() || listening.front()->getValue<int>("listening") <= 0)
		{
			stop();
			FAIL(name() << " did not print {\"listening\": port}; it wrote:\n" << _output.text());
		}
		_port = listening.front()->getValue<int>("listening");
	}

	~ExampleReceiver()
	{
		try
		{
			stop();
			if (TestFailureListener::currentTestFailed()) WARN(name() << " wrote:\n" << _output.text());
		}
		catch (...)
		{
		}
	}

	ExampleReceiver(const ExampleReceiver&) = delete;
	ExampleReceiver& operator=(const ExampleReceiver&) = delete;

	std::string name() const { return _kind == Kind::Python ? "examples/receiver.py" : "examples/node-receiver/receiver.mjs"; }
	std::string url() const { return "http://127.0.0.1:" + std::to_string(_port) + "/webhooks"; }
	/// What the receiver answers a request it accepted, and one it refused.
	int acceptedStatus() const { return _kind == Kind::Python ? 200 : 204; }
	int refusedStatus() const { return _kind == Kind::Python ? 401 : 400; }
	std::string output() const { return _output.text(); }

	/// The complete lines of standard output that are JSON objects with the member `kind`.
	std::vector<Poco::JSON::Object::Ptr> lines(const std::string& kind) const
	{
		std::vector<Poco::JSON::Object::Ptr> result;
		std::istringstream in(_output.stdoutText());
		std::string line;
		while (std::getline(in, line))
		{
			if (in.eof()) break;  // not finished yet
			const Poco::JSON::Object::Ptr object = ApiClient::parseObject(line);
			if (object && object->has(kind)) result.push_back(object);
		}
		return result;
	}

	/// The line `kind` (verified or rejected) for webhookId, waiting for it until the deadline; null if none came.
	Poco::JSON::Object::Ptr waitFor(const std::string& kind, const std::string& webhookId, std::size_t nth = 1) const
	{
		Poco::JSON::Object::Ptr found;
		waitUntil([&] {
			std::size_t seen = 0;
			for (const auto& line : lines(kind))
			{
				if (Steps::stringOf(line, kind) == webhookId && ++seen == nth)
				{
					found = line;
					return true;
				}
			}
			return false;
		}, DEADLINE);
		return found;
	}

private:
	void stop()
	{
		if (!_process) return;
		if (Poco::Process::isRunning(*_process)) Poco::Process::kill(*_process);
		_process->wait();
		_process.reset();
		_output.finish();
	}

	Kind _kind;
	ProcessOutput _output;
	std::unique_ptr<Poco::ProcessHandle> _process;
	int _port = 0;
};

std::string anotherSecret()
{
	const std::string key = "a key this endpoint never had";
	return "whsec_" + SignatureVerifier::base64Encode(reinterpret_cast<const unsigned char*>(key.data()), 24);
}

/// The event's data as the receiver printed it is the data that was posted.
void checkData(const Poco::JSON::Object::Ptr& line)
{
	REQUIRE(line);
	CHECK(Steps::stringOf(line, "type") == "appointment.booking.created");
	const Poco::JSON::Object::Ptr data = line->getObject("data");
	REQUIRE(data);
	CHECK(ApiClient::canonical(data) == ApiClient::canonical(ApiClient::parseObject(DATA)));
}

void verifiesAndRefuses(ExampleReceiver::Kind kind)
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");

	// The endpoint's own secret: the receiver accepts the delivery, and the log says so.
	SECTION("signed with the endpoint's secret")
	{
		const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", "http://127.0.0.1:9/placeholder", {"appointment.booking.created"});
		ExampleReceiver receiver(kind, endpoint.secret);
		REQUIRE(api.patch("/api/v1/accounts/acme/endpoints/" + endpoint.id, "{\"url\":" + Steps::jsonString(receiver.url()) + "}").status == 200);
		const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", DATA);
		REQUIRE(event.status == 202);
		REQUIRE(event.deliveryIds.size() == 1);

		const Poco::JSON::Object::Ptr verified = receiver.waitFor("verified", event.id);
		INFO(receiver.name() << " wrote:\n" << receiver.output());
		REQUIRE(verified);
		CHECK(Steps::intOf(verified, "signatures") == 1);
		checkData(verified);
		CHECK(receiver.lines("rejected").empty());

		const Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded");
		REQUIRE(delivery);
		CHECK(Steps::stringOf(delivery, "status") == "succeeded");
		CHECK(Steps::intOf(delivery, "attemptCount") == 1);
		CHECK(Steps::intOf(delivery, "responseCode") == receiver.acceptedStatus());
	}

	// Another secret: the receiver refuses every attempt, and the delivery fails.
	SECTION("signed with another secret")
	{
		ExampleReceiver receiver(kind, anotherSecret());
		const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url(), {"appointment.booking.created"});
		REQUIRE(endpoint.secret != anotherSecret());
		const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", DATA);
		REQUIRE(event.deliveryIds.size() == 1);

		const Poco::JSON::Object::Ptr rejected = receiver.waitFor("rejected", event.id);
		INFO(receiver.name() << " wrote:\n" << receiver.output());
		REQUIRE(rejected);
		CHECK_FALSE(Steps::stringOf(rejected, "reason").empty());

		// The tests' schedule is 100ms, 100ms: three attempts, then failed.
		const Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "failed");
		REQUIRE(delivery);
		INFO("delivery: " << ApiClient::canonical(delivery));
		CHECK(Steps::stringOf(delivery, "status") == "failed");
		CHECK(Steps::intOf(delivery, "responseCode") == receiver.refusedStatus());
		const Poco::JSON::Array::Ptr attempts = delivery->getArray("attempts");
		REQUIRE(attempts);
		CHECK(attempts->size() == 3);
		for (std::size_t i = 0; i < attempts->size(); ++i)
			CHECK(Steps::intOf(attempts->getObject(static_cast<unsigned>(i)), "responseCode") == receiver.refusedStatus());
		CHECK(receiver.waitFor("rejected", event.id, 3));
		CHECK(receiver.lines("verified").empty());
	}
}

void verifiesDuringRotation(ExampleReceiver::Kind kind)
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", "http://127.0.0.1:9/placeholder", {"appointment.booking.created"});
	const std::string endpointPath = "/api/v1/accounts/acme/endpoints/" + endpoint.id;

	const ApiResponse rotated = api.post(endpointPath + "/secret/rotate", "");
	INFO("rotate -> " << rotated.describe());
	REQUIRE(rotated.status == 200);
	const std::string newSecret = Steps::stringOf(rotated.json, "secret");
	REQUIRE(newSecret.rfind("whsec_", 0) == 0);
	REQUIRE(newSecret != endpoint.secret);

	// A receiver that still has the old secret accepts the delivery: it carries two signatures.
	ExampleReceiver oldReceiver(kind, endpoint.secret);
	REQUIRE(api.patch(endpointPath, "{\"url\":" + Steps::jsonString(oldReceiver.url()) + "}").status == 200);
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", DATA);
	REQUIRE(event.deliveryIds.size() == 1);
	const Poco::JSON::Object::Ptr verifiedOld = oldReceiver.waitFor("verified", event.id);
	INFO(oldReceiver.name() << " (old secret) wrote:\n" << oldReceiver.output());
	REQUIRE(verifiedOld);
	CHECK(Steps::intOf(verifiedOld, "signatures") == 2);
	checkData(verifiedOld);
	REQUIRE(Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded"));

	// One that has the new secret accepts the same message, replayed to it.
	ExampleReceiver newReceiver(kind, newSecret);
	REQUIRE(api.patch(endpointPath, "{\"url\":" + Steps::jsonString(newReceiver.url()) + "}").status == 200);
	const ApiResponse replay = api.post("/api/v1/accounts/acme/deliveries/" + event.deliveryIds[0] + "/replay", "");
	INFO("replay -> " << replay.describe());
	REQUIRE(replay.status == 202);
	const Poco::JSON::Object::Ptr verifiedNew = newReceiver.waitFor("verified", event.id);
	INFO(newReceiver.name() << " (new secret) wrote:\n" << newReceiver.output());
	REQUIRE(verifiedNew);
	CHECK(Steps::intOf(verifiedNew, "signatures") == 2);
	checkData(verifiedNew);
	CHECK(Steps::waitForDeliveryStatus(api, "acme", Steps::stringOf(replay.json, "id"), "succeeded"));
	CHECK(oldReceiver.lines("rejected").empty());
	CHECK(newReceiver.lines("rejected").empty());

	// A receiver with neither secret refuses it: the two signatures are not just any two.
	ExampleReceiver stranger(kind, anotherSecret());
	REQUIRE(api.patch(endpointPath, "{\"url\":" + Steps::jsonString(stranger.url()) + "}").status == 200);
	const ApiResponse again = api.post("/api/v1/accounts/acme/deliveries/" + event.deliveryIds[0] + "/replay", "");
	REQUIRE(again.status == 202);
	INFO(stranger.name() << " (another secret) wrote:\n" << stranger.output());
	CHECK(stranger.waitFor("rejected", event.id));
	CHECK(stranger.lines("verified").empty());
}

} // namespace

TEST_CASE("Example receiver.py verifies a delivery from the gateway and refuses one signed with another secret", "[e2e][examples][sqlite]")
{
	verifiesAndRefuses(ExampleReceiver::Kind::Python);
}

TEST_CASE("Example node-receiver verifies a delivery with standardwebhooks and refuses one signed with another secret", "[e2e][examples][sqlite]")
{
	verifiesAndRefuses(ExampleReceiver::Kind::Node);
}

TEST_CASE("Example receiver.py verifies a delivery during a secret rotation with the old and with the new secret", "[e2e][examples][sqlite]")
{
	verifiesDuringRotation(ExampleReceiver::Kind::Python);
}

TEST_CASE("Example node-receiver verifies a delivery during a secret rotation with the old and with the new secret", "[e2e][examples][sqlite]")
{
	verifiesDuringRotation(ExampleReceiver::Kind::Node);
}

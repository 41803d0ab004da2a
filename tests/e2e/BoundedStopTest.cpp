// Issue 14 (part 4): a stop is bounded by hookgate.shutdown.grace even with an attempt hanging
// at a receiver that never answers within the attempt timeout; the aborted attempt is not
// recorded and the delivery goes out again after the restart (at-least-once).

#include "ApiClient.h"
#include "DaemonProcess.h"
#include "GatewayProcess.h"
#include "MailServer.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/Timestamp.h>

#include <memory>

using namespace Hookgate::Test;

namespace {

/// The delivery succeeds, and its log shows only the attempt that was answered (the aborted one
/// was not recorded).
void checkSucceededWithOneAttempt(const ApiClient& api, const std::string& deliveryId)
{
	Poco::JSON::Object::Ptr delivery;
	CHECK(waitUntil([&] {
		delivery = Steps::getDelivery(api, "acme", deliveryId);
		return delivery && delivery->getValue<std::string>("status") == "succeeded";
	}, Poco::Timespan(30, 0)));
	REQUIRE(delivery);
	REQUIRE(delivery->getArray("attempts"));
	CHECK(delivery->getArray("attempts")->size() == 1);
}

/// An account with one endpoint at the receiver and one event whose attempt is in flight, held by
/// the receiver.
Steps::Event holdOneAttempt(const ApiClient& api, Receiver& receiver)
{
	Steps::createAccount(api, "acme");
	Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"*"});
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"n":1})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(receiver.waitForCount(1, Poco::Timespan(20, 0)));
	return event;
}

/// The stop took the 2 s grace, not the 20 s the receiver holds its answer, and the log says that
/// the attempt was aborted and goes out again.
void checkStoppedAfterTheGrace(int code, double seconds, const std::string& log)
{
	CHECK(code == 0);
	CHECK(seconds >= 2.0);  // it did wait for the attempt first
	CHECK(seconds < 6.0);   // not the 20 s the receiver holds the answer
	CHECK(log.find("1 attempt(s) still in flight at the end of the shutdown grace") != std::string::npos);
	CHECK(log.find("attempt aborted by the stop; it goes out again after the restart") != std::string::npos);
}

} // namespace

TEST_CASE("SIGTERM ends the gateway within the shutdown grace while an attempt hangs, and the delivery goes out again after the restart", "[e2e][stop]")
{
	Receiver receiver;
	receiver.start();
	// Holds every answer 20 s: without the grace the stop would wait for it (the attempt timeout
	// is 60 s). (Not longer: the receiver's own teardown waits for the answer it holds.)
	receiver.setDelay(Poco::Timespan(20, 0));
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.timeout", "60s"}, {"hookgate.delivery.leaseTime", "5m"},
		{"hookgate.shutdown.grace", "2s"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	const Steps::Event event = holdOneAttempt(api, receiver);

	const Poco::Timestamp stopping;
	const int code = gateway.terminate(Poco::Timespan(30, 0));
	const double seconds = static_cast<double>(stopping.elapsed()) / 1e6;
	INFO("stopped after " << seconds << " s; log:\n" << gateway.logTail());
	checkStoppedAfterTheGrace(code, seconds, gateway.log());

	// After the restart the delivery is sent again, and the log of the delivery shows only the
	// attempt that was answered.
	receiver.setDelay(Poco::Timespan(0));
	gateway.start();
	ApiClient restarted(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	CHECK(receiver.waitForCount(2, Poco::Timespan(30, 0)));
	checkSucceededWithOneAttempt(restarted, event.deliveryIds[0]);
	const auto requests = receiver.requests();
	REQUIRE(requests.size() >= 2);
	CHECK(requests[0].body == requests[1].body);
}

TEST_CASE("SIGTERM ends the gateway within the shutdown grace while an SMTP server holds its reply to the data, and the email goes out after the restart", "[e2e][stop]")
{
	// The reply to DATA comes 20 s late; the attempt timeout is 60 s.
	MailServer::Options slow;
	slow.dataDelay = Poco::Timespan(20, 0);
	auto mail = std::make_unique<MailServer>(slow);
	mail->start();
	const Poco::UInt16 port = mail->port();
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.timeout", "60s"}, {"hookgate.delivery.leaseTime", "5m"},
		{"hookgate.shutdown.grace", "2s"}, {"hookgate.smtp.mode", "smtp"}, {"hookgate.smtp.host", "127.0.0.1"},
		{"hookgate.smtp.port", std::to_string(port)}, {"hookgate.smtp.tls", "none"}, {"hookgate.smtp.from", "hookgate@example.com"}});
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	const ApiResponse created = api.post("/api/v1/accounts/acme/endpoints", R"({"email":"inbox@example.com","eventTypes":["*"]})");
	INFO(created.describe());
	REQUIRE(created.status == 201);
	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", R"({"n":1})");
	REQUIRE(event.deliveryIds.size() == 1);
	REQUIRE(waitUntil([&] { return mail->connections() >= 1; }, Poco::Timespan(20, 0)));

	const Poco::Timestamp stopping;
	const int code = gateway.terminate(Poco::Timespan(30, 0));
	const double seconds = static_cast<double>(stopping.elapsed()) / 1e6;
	INFO("stopped after " << seconds << " s; log:\n" << gateway.logTail());
	CHECK(code == 0);
	CHECK(seconds < 6.0);  // not the 20 s the server holds its reply
	CHECK(gateway.log().find("1 attempt(s) still in flight at the end of the shutdown grace") != std::string::npos);
	CHECK(mail->messageCount() == 0);

	// A prompt server on the same port; after the restart the email goes out, one attempt logged.
	mail->stop();
	mail = std::make_unique<MailServer>();
	mail->start(port);
	gateway.start();
	ApiClient restarted(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	CHECK(mail->waitForMessages(1, Poco::Timespan(30, 0)));
	checkSucceededWithOneAttempt(restarted, event.deliveryIds[0]);
}

TEST_CASE("SIGTERM ends a daemon within the shutdown grace while an attempt hangs, and the delivery goes out again after the restart", "[e2e][stop]")
{
	Receiver receiver;
	receiver.start();
	receiver.setDelay(Poco::Timespan(20, 0));  // as above: the attempt timeout is 60 s
	GatewayProcess gateway(GatewayProcess::Properties{{"hookgate.delivery.timeout", "60s"}, {"hookgate.delivery.leaseTime", "5m"},
		{"hookgate.shutdown.grace", "2s"}});
	// A daemon's standard output and error are /dev/null: its log goes to a file.
	const std::string logFile = gateway.path("daemon.log");
	gateway.setProperty("hookgate.logging.file", logFile);
	DaemonProcess daemon(gateway);
	daemon.start();
	ApiClient api(daemon.port(), GatewayProcess::ADMIN_TOKEN);
	const Steps::Event event = holdOneAttempt(api, receiver);

	const Poco::Timestamp stopping;
	bool exited = false;
	const int code = daemon.terminate(Poco::Timespan(30, 0), exited);
	const double seconds = static_cast<double>(stopping.elapsed()) / 1e6;
	const std::string log = GatewayProcess::readFile(logFile);
	INFO("stopped after " << seconds << " s; daemon log:\n" << log);
	REQUIRE(exited);
	checkStoppedAfterTheGrace(code, seconds, log);
	CHECK(waitUntil([&] { return !Poco::File(daemon.pidFile()).exists(); }, Poco::Timespan(10, 0)));

	// Started again (in the foreground, on the same database), the delivery is sent again.
	receiver.setDelay(Poco::Timespan(0));
	gateway.removeProperty("hookgate.logging.file");
	gateway.start();
	ApiClient restarted(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	CHECK(receiver.waitForCount(2, Poco::Timespan(30, 0)));
	checkSucceededWithOneAttempt(restarted, event.deliveryIds[0]);
}

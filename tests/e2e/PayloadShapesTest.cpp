#include "ApiClient.h"
#include "GatewayProcess.h"
#include "Receiver.h"
#include "Steps.h"

#include "../unit/EmailPythonParser.h"

#include <catch2/catch.hpp>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <fstream>
#include <map>
#include <string>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);
const std::string ACCOUNT_PATH = "/api/v1/accounts/acme";

std::string nestedData(std::size_t depth)
{
	std::string s;
	for (std::size_t i = 0; i < depth; ++i) s += "{\"k\":";
	s += "1";
	for (std::size_t i = 0; i < depth; ++i) s += "}";
	return s;
}

} // namespace

TEST_CASE("The same event reaches a nested, a flat, a template and an email endpoint each in its shape, and raw shows the same bytes", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;  // email in pickup mode: .eml files in hookgate.smtp.pickupDir
	const std::string outbox = gateway.properties().at("hookgate.smtp.pickupDir");
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "business");
	const std::vector<std::string> types = {"appointment.booking.created"};

	// An unknown template is refused when creating and when patching.
	const std::string unknownBody = "{\"url\":" + Steps::jsonString(receiver.url("/x"))
		+ R"(,"eventTypes":["appointment.booking.created"],"hierarchy":"template:nope"})";
	const ApiResponse unknown = api.post(ACCOUNT_PATH + "/endpoints", unknownBody);
	INFO("create with template:nope -> " << unknown.describe());
	CHECK(unknown.status == 422);
	CHECK(unknown.body.find("validation_failed") != std::string::npos);
	CHECK(unknown.body.find("hierarchy: 'template:nope' is not available") != std::string::npos);
	CHECK(unknown.body.find("template:erp-import") != std::string::npos);

	const Steps::Endpoint nested = Steps::createEndpoint(api, "acme", receiver.url("/nested"), types);
	CHECK(Steps::stringOf(nested.json, "hierarchy") == "nested");
	const Steps::Endpoint flat = Steps::createEndpoint(api, "acme", receiver.url("/flat"), types, R"("hierarchy":"flat")");
	CHECK(Steps::stringOf(flat.json, "hierarchy") == "flat");
	const Steps::Endpoint summary = Steps::createEndpoint(api, "acme", receiver.url("/summary"), types,
		R"("hierarchy":"template:booking-summary")");
	CHECK(Steps::stringOf(summary.json, "hierarchy") == "template:booking-summary");
	const std::string emailBody = R"({"email":"erp-import@acme.example","eventTypes":["appointment.booking.created"],)"
		R"("hierarchy":"template:erp-import"})";
	const ApiResponse emailEndpoint = api.post(ACCOUNT_PATH + "/endpoints", emailBody);
	INFO("create email endpoint -> " << emailEndpoint.describe());
	REQUIRE(emailEndpoint.status == 201);
	const std::string emailId = Steps::stringOf(emailEndpoint.json, "id");

	const ApiResponse patched = api.patch(ACCOUNT_PATH + "/endpoints/" + nested.id, R"({"hierarchy":"template:nope"})");
	INFO("patch to template:nope -> " << patched.describe());
	CHECK(patched.status == 422);
	CHECK(Steps::stringOf(api.get(ACCOUNT_PATH + "/endpoints/" + nested.id).json, "hierarchy") == "nested");

	const std::string data =
		R"({"appointment":{"number":"B-4711","start":"2026-12-03T09:30:00Z","end":"2026-12-03T10:15:00Z",)"
		R"("service":{"name":"Beratung \"Steuern\""},"price":{"amount":180.00}},)"
		R"("customer":{"name":"Zoë Müller \ud83d\ude00","email":"zoe@example.com"},"attendees":[{"name":"Zoë"},{"name":"Max"}],)"
		R"("big":12345678901234567890123,"dec":0.1,"exp":1e400,"note":"line1\nline2","none":null,"empty":{},"list":[],)"
		R"("a.b":1,"id":4711})";
	const Steps::Event event = Steps::postEvent(api, "acme", "appointment.booking.created", data);
	REQUIRE(event.status == 202);
	REQUIRE(event.deliveryIds.size() == 4);
	REQUIRE(receiver.waitForCount(3, DEADLINE));

	std::map<std::string, std::string> bodyByPath;
	for (const auto& request : receiver.requests()) bodyByPath[request.uri] = request.body;
	REQUIRE(bodyByPath.size() == 3);

	// Poco's parser refuses 1e400 and integers beyond 64 bits (valid JSON): take the
	// creation time from the text.
	const std::string& nestedBody = bodyByPath["/nested"];
	const std::size_t createdAt = nestedBody.find("\"created\":\"");
	REQUIRE(createdAt != std::string::npos);
	const std::size_t createdStart = createdAt + 11;
	const std::string created = nestedBody.substr(createdStart, nestedBody.find('"', createdStart) - createdStart);
	REQUIRE(Steps::isIsoUtc(created));
	const std::string envelope = "{\"id\":\"" + event.id + "\",\"type\":\"appointment.booking.created\",\"created\":\"" + created
		+ "\",\"source\":\"hookgate\"";

	CHECK(bodyByPath["/nested"] == envelope + ",\"data\":" + data + "}");
	CHECK(bodyByPath["/flat"] == envelope +
		R"(,"appointment.number":"B-4711","appointment.start":"2026-12-03T09:30:00Z","appointment.end":"2026-12-03T10:15:00Z",)"
		R"("appointment.service.name":"Beratung \"Steuern\"","appointment.price.amount":180.00,)"
		R"("customer.name":"Zoë Müller \ud83d\ude00","customer.email":"zoe@example.com","attendees.0.name":"Zoë","attendees.1.name":"Max",)"
		R"("big":12345678901234567890123,"dec":0.1,"exp":1e400,"note":"line1\nline2","none":null,"empty":{},"list":[],)"
		R"("a~1b":1,"data.id":4711})");
	CHECK(bodyByPath["/summary"] ==
		R"({"event":"appointment.booking.created","booking":"B-4711",)"
		R"("summary":"Zoë Müller \ud83d\ude00 booked Beratung \"Steuern\" from 2026-12-03T09:30:00Z to 2026-12-03T10:15:00Z",)"
		R"("email":"zoe@example.com","start":"2026-12-03T09:30:00Z"})");

	// The email endpoint: one .eml in the pickup folder, the payload as its attachment.
	std::string emailDelivery;
	for (std::size_t i = 0; i < event.endpointIds.size(); ++i)
		if (event.endpointIds[i] == emailId) emailDelivery = event.deliveryIds[i];
	REQUIRE(Steps::waitForDeliveryStatus(api, "acme", emailDelivery, "succeeded"));
	std::vector<std::string> files;
	for (Poco::DirectoryIterator it(outbox); it != Poco::DirectoryIterator(); ++it) files.push_back(it.path().toString());
	REQUIRE(files.size() == 1);
	const EmailParsed message = EmailPythonParser::parseFile(files[0]);
	std::string attachment;
	for (const auto& part : message.parts)
		if (part.disposition == "attachment") attachment = part.data;
	CHECK(attachment ==
		R"({"recordType":"BOOKING","action":"appointment.booking.created","bookingNumber":"B-4711","externalId":null,)"
		R"("customer":{"name":"Zoë Müller \ud83d\ude00","email":"zoe@example.com","phone":null},"service":"Beratung \"Steuern\"",)"
		R"("start":"2026-12-03T09:30:00Z","end":"2026-12-03T10:15:00Z","price":{"amount":180.00,"currency":null},)"
		R"("attendees":[{"name":"Zoë"},{"name":"Max"}],"reference":"hookgate:)" + event.id + R"(","origin":"hookgate",)"
		R"("exportedAt":")" + created + R"("})");
	bodyByPath["email"] = attachment;

	// Each delivery's raw payload is exactly what its receiver got.
	const std::map<std::string, std::string> pathByEndpoint = {{nested.id, "/nested"}, {flat.id, "/flat"}, {summary.id, "/summary"},
		{emailId, "email"}};
	for (std::size_t i = 0; i < event.deliveryIds.size(); ++i)
	{
		const std::string& path = pathByEndpoint.at(event.endpointIds[i]);
		INFO("delivery " << event.deliveryIds[i] << " to " << path);
		REQUIRE(Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[i], "succeeded"));
		const ApiResponse raw = api.get(ACCOUNT_PATH + "/deliveries/" + event.deliveryIds[i] + "/raw");
		CHECK(raw.status == 200);
		CHECK(raw.body == bodyByPath[path]);
	}
}

TEST_CASE("An event nested deeper than 512 levels is refused with 422 naming the limit, and 512 levels are delivered flat", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "professional");
	Steps::createEndpoint(api, "acme", receiver.url("/flat"), {"customer.created"}, R"("hierarchy":"flat")");

	// The event object is level 1, so data may be 511 levels deep.
	const ApiResponse tooDeep = api.post(ACCOUNT_PATH + "/events", R"({"type":"customer.created","data":)" + nestedData(512) + "}");
	INFO("513 levels -> " << tooDeep.describe());
	CHECK(tooDeep.status == 422);
	CHECK(tooDeep.body.find("validation_failed") != std::string::npos);
	CHECK(tooDeep.body.find("512") != std::string::npos);

	const ApiResponse veryDeep = api.post(ACCOUNT_PATH + "/events", R"({"type":"customer.created","data":)" + nestedData(1000) + "}");
	CHECK(veryDeep.status == 422);

	const Steps::Event event = Steps::postEvent(api, "acme", "customer.created", nestedData(511));
	CHECK(event.status == 202);
	REQUIRE(receiver.waitForCount(1, DEADLINE));
	std::string key = "k";
	for (int i = 1; i < 511; ++i) key += ".k";
	const std::string body = receiver.requests()[0].body;
	CHECK(body.size() > key.size());
	CHECK(body.substr(body.size() - key.size() - 6) == ",\"" + key + "\":1}");
}

TEST_CASE("A malformed payload template stops the server with its file and line", "[e2e]")
{
	GatewayProcess gateway;
	const std::string templates = gateway.path("templates");
	Poco::File(templates + "/hierarchy").createDirectories();
	{
		std::ofstream good(templates + "/hierarchy/good.json");
		good << "{\"id\": \"{{id}}\"}\n";
		std::ofstream bad(templates + "/hierarchy/erp.json");
		bad << "{\n  \"booking\": \"{{data.appointment.number}}\",\n  \"customer\": \"{{customer.name}}\"\n}\n";
	}
	gateway.setProperty("hookgate.templates.dir", templates);
	const GatewayProcess::RunResult result = gateway.run({"--config=" + gateway.configPath()});
	INFO("stdout:\n" << result.stdoutText << "\nstderr:\n" << result.stderrText);
	CHECK(result.exitCode == 78);
	const std::string location = Poco::Path(templates + "/hierarchy/erp.json").toString() + ":3:";
	CHECK(result.stderrText.find(location) != std::string::npos);
	CHECK(result.stderrText.find("unknown field 'customer'") != std::string::npos);

	// Fixed, the same directory starts.
	{
		std::ofstream fixed(templates + "/hierarchy/erp.json", std::ios::trunc);
		fixed << "{\n  \"booking\": \"{{data.appointment.number}}\",\n  \"customer\": \"{{data.customer.name}}\"\n}\n";
	}
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", "http://127.0.0.1:9/hook", {"customer.created"},
		R"("hierarchy":"template:erp")");
	CHECK(gateway.terminate() == 0);

	// A stored endpoint whose template file is gone stops the next start, naming both.
	Poco::File(templates + "/hierarchy/erp.json").remove();
	const GatewayProcess::RunResult missing = gateway.run({"--config=" + gateway.configPath()});
	INFO("stderr without erp.json:\n" << missing.stderrText);
	CHECK(missing.exitCode == 78);
	CHECK(missing.stderrText.find(endpoint.id) != std::string::npos);
	CHECK(missing.stderrText.find("'template:erp'") != std::string::npos);
}

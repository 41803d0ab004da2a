// Issue 3, email transport: the real hookgate binary against a real SMTP
// server (Debian's aiosmtpd, tests/e2e/mail_server.py) on loopback, and in
// pickup mode against its outbox folder.

#include "ApiClient.h"
#include "ErrorCheck.h"
#include "GatewayProcess.h"
#include "MailServer.h"
#include "Receiver.h"
#include "Steps.h"
#include "Wait.h"

#include "../unit/EmailPythonParser.h"
#include "../unit/HTTPTestCertificates.h"

#include <catch2/catch.hpp>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace Hookgate::Test;

namespace {

const Poco::Timespan DEADLINE(20, 0);
const Poco::Timespan QUIET(0, 500000);  // how long "nothing more arrives" is watched
const std::string SENDER = "hookgate@gateway.example";
const std::string TYPE = "appointment.booking.created";

/// Properties for smtp mode against the mail server (plain SMTP unless overridden).
GatewayProcess::Properties smtpProperties(Poco::UInt16 port, const GatewayProcess::Properties& more = {})
{
	GatewayProcess::Properties properties = {
		{"hookgate.smtp.mode", "smtp"},
		{"hookgate.smtp.host", "127.0.0.1"},
		{"hookgate.smtp.port", std::to_string(port)},
		{"hookgate.smtp.tls", "none"},
		{"hookgate.smtp.from", SENDER},
	};
	for (const auto& property: more) properties[property.first] = property.second;
	return properties;
}

/// POST .../endpoints with the body as given; requires 201.
Steps::Endpoint createEndpoint(const ApiClient& api, const std::string& account, const std::string& body)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints";
	const ApiResponse response = api.post(path, body);
	INFO("POST " << path << " " << body << " -> " << response.describe());
	REQUIRE(response.status == 201);
	REQUIRE(response.json);
	Steps::Endpoint endpoint;
	endpoint.id = Steps::stringOf(response.json, "id");
	endpoint.secret = Steps::stringOf(response.json, "secret");
	endpoint.json = response.json;
	REQUIRE(endpoint.id.rfind("ep_", 0) == 0);
	return endpoint;
}

Steps::Endpoint createEmailEndpoint(const ApiClient& api, const std::string& account, const std::string& email)
{
	return createEndpoint(api, account, "{\"email\":" + Steps::jsonString(email) + ",\"eventTypes\":[\"*\"]}");
}

/// GET .../deliveries/<id>/raw; requires 200.
std::string rawOf(const ApiClient& api, const std::string& account, const std::string& delivery)
{
	const ApiResponse raw = api.get("/api/v1/accounts/" + account + "/deliveries/" + delivery + "/raw");
	INFO("GET .../deliveries/" << delivery << "/raw -> " << raw.describe());
	REQUIRE(raw.status == 200);
	return raw.body;
}

std::vector<Poco::JSON::Object::Ptr> attemptsOf(const Poco::JSON::Object::Ptr& delivery)
{
	std::vector<Poco::JSON::Object::Ptr> result;
	Poco::JSON::Array::Ptr attempts = delivery ? delivery->getArray("attempts") : nullptr;
	if (!attempts) return result;
	for (std::size_t i = 0; i < attempts->size(); ++i)
		result.push_back(attempts->getObject(static_cast<unsigned>(i)));
	return result;
}

std::vector<Poco::Int64> attemptCodes(const Poco::JSON::Object::Ptr& delivery)
{
	std::vector<Poco::Int64> codes;
	for (const auto& attempt: attemptsOf(delivery)) codes.push_back(Steps::intOf(attempt, "responseCode"));
	return codes;
}

/// Polls the delivery until it has at least count attempts; returns the last answer.
Poco::JSON::Object::Ptr waitForAttempts(const ApiClient& api, const std::string& account, const std::string& delivery,
	std::size_t count, const Poco::Timespan& deadline = DEADLINE)
{
	Poco::JSON::Object::Ptr last;
	waitUntil([&]() {
		last = Steps::getDelivery(api, account, delivery);
		return attemptsOf(last).size() >= count;
	}, deadline);
	return last;
}

/// The one attachment of a parsed message; REQUIREs there is exactly one.
const EmailParsedPart& attachmentOf(const EmailParsed& parsed)
{
	const EmailParsedPart* found = nullptr;
	std::size_t count = 0;
	for (const EmailParsedPart& part: parsed.parts)
	{
		if (part.disposition == "attachment")
		{
			found = &part;
			++count;
		}
	}
	REQUIRE(count == 1);
	return *found;
}

/// A header's value from the header section of raw message bytes (first
/// occurrence, unfolded), for checks that need no full parse.
std::string rawHeader(const std::string& message, const std::string& name)
{
	const std::size_t end = message.find("\r\n\r\n");
	std::istringstream headers(message.substr(0, end));
	std::string line;
	std::string value;
	bool inside = false;
	while (std::getline(headers, line))
	{
		if (!line.empty() && line.back() == '\r') line.pop_back();
		if (inside && !line.empty() && (line[0] == ' ' || line[0] == '\t'))
		{
			value += line;
			continue;
		}
		if (inside) break;
		const std::size_t colon = line.find(':');
		if (colon != std::string::npos && Poco::icompare(line.substr(0, colon), name) == 0)
		{
			value = Poco::trim(line.substr(colon + 1));
			inside = true;
		}
	}
	return value;
}

/// What a parsed message says, for INFO.
std::string describe(const EmailParsed& parsed)
{
	std::ostringstream text;
	for (const auto& header: parsed.headers) text << header.first << ": " << header.second << "\n";
	text << "parts:";
	for (const auto& part: parsed.parts)
		text << " [" << part.contentType << " " << part.disposition << " " << part.filename << " " << part.transferEncoding << "]";
	text << "\ndefects:";
	for (const auto& defect: parsed.defects) text << " " << defect << ";";
	return text.str();
}

/// The common checks of one delivered message against its delivery.
void checkMessage(const ApiClient& api, const std::string& account, const std::string& eventId,
	const std::string& deliveryId, const std::string& recipient, const std::string& bytes)
{
	const EmailParsed parsed = EmailPythonParser::parse(bytes);
	INFO("message as Python's email package sees it:\n" << describe(parsed));
	CHECK(parsed.defects.empty());
	CHECK(parsed.onlyCRLF);
	CHECK(parsed.maxLineLength <= 998);
	CHECK(parsed.count("From") == 1);
	CHECK(parsed.header("From") == SENDER);
	CHECK(parsed.count("To") == 1);
	CHECK(parsed.header("To") == recipient);
	CHECK(parsed.count("Subject") == 1);
	CHECK(parsed.header("Subject").find(TYPE) != std::string::npos);
	CHECK(parsed.count("Date") == 1);
	CHECK_FALSE(parsed.dateISO.empty());
	CHECK(parsed.count("MIME-Version") == 1);
	CHECK(parsed.count("Message-ID") == 1);
	const std::string messageId = parsed.header("Message-ID");
	CHECK(messageId.size() > 4);
	CHECK(messageId.front() == '<');
	CHECK(messageId.back() == '>');
	CHECK(messageId.find('@') != std::string::npos);
	CHECK(parsed.count("X-Webhook-Id") == 1);
	CHECK(parsed.header("X-Webhook-Id") == eventId);

	// A short text part, then the payload as <eventType>_<deliveryId>.json, byte for byte /raw.
	bool hasText = false;
	for (const EmailParsedPart& part: parsed.parts)
		hasText = hasText || (part.contentType == "text/plain" && part.disposition != "attachment" && !part.text.empty());
	CHECK(hasText);
	const EmailParsedPart& attachment = attachmentOf(parsed);
	CHECK(attachment.filename == TYPE + "_" + deliveryId + ".json");
	CHECK(attachment.contentType == "application/json");
	CHECK(Poco::toLower(attachment.transferEncoding) == "base64");
	const std::string raw = rawOf(api, account, deliveryId);
	CHECK(attachment.data == raw);
	Poco::JSON::Object::Ptr payload = ApiClient::parseObject(attachment.data);
	REQUIRE(payload);
	CHECK(Steps::stringOf(payload, "id") == eventId);
	CHECK(Steps::stringOf(payload, "type") == TYPE);
}

std::vector<std::string> directoryNames(const std::string& directory)
{
	std::vector<std::string> names;
	if (!Poco::File(directory).exists()) return names;
	for (Poco::DirectoryIterator it(directory), end; it != end; ++it) names.push_back(it.name());
	std::sort(names.begin(), names.end());
	return names;
}

std::string readFile(const std::string& path)
{
	std::ifstream file(path, std::ios::binary);
	std::ostringstream text;
	text << file.rdbuf();
	return text.str();
}

std::string verbsOf(const std::vector<MailCommand>& commands)
{
	std::string text;
	for (const MailCommand& command: commands) text += std::to_string(command.connection) + ":" + command.verb + " ";
	return text;
}

} // namespace

TEST_CASE("An event to an email endpoint is mailed once as its JSON file and no HTTP request is made", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	MailServer mail;
	mail.start();
	GatewayProcess gateway(smtpProperties(mail.port()));
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const std::string address = "bookings@acme.example";
	const Steps::Endpoint endpoint = createEndpoint(api, "acme", "{\"url\":" + Steps::jsonString(receiver.url("/hook"))
		+ ",\"email\":" + Steps::jsonString(address) + ",\"eventTypes\":[\"" + TYPE + "\"]}");
	CHECK(Steps::stringOf(endpoint.json, "email") == address);

	const Steps::Event event = Steps::postEvent(api, "acme", TYPE,
		R"({"appointment":{"uuid":"4711","start":"2026-11-27T16:05:09Z"},"customer":{"name":"Zoë \"Q\" Müller"},"n":[1,2.50,null]})");
	REQUIRE(event.status == 202);
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string deliveryId = event.deliveryIds[0];

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", deliveryId, "succeeded", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	INFO("mail server commands: " << verbsOf(mail.commands()));
	CHECK(Steps::stringOf(delivery, "status") == "succeeded");
	CHECK(Steps::stringOf(delivery, "transport") == "email");
	CHECK(Steps::stringOf(delivery, "eventId") == event.id);
	CHECK(Steps::intOf(delivery, "responseCode") == 250);
	CHECK(Steps::intOf(delivery, "attemptCount") == 1);
	CHECK(attemptCodes(delivery) == std::vector<Poco::Int64>{250});

	// Exactly one message, and nothing over HTTP even though the endpoint has a url.
	REQUIRE(mail.waitForMessages(1, DEADLINE));
	CHECK_FALSE(mail.waitForMessages(2, QUIET));
	CHECK(receiver.count() == 0);
	const std::vector<MailMessage> messages = mail.messages();
	REQUIRE(messages.size() == 1);
	CHECK(messages[0].mailFrom == SENDER);
	CHECK(messages[0].rcptTos == std::vector<std::string>{address});
	CHECK(mail.countCommands("DATA") == 1);
	checkMessage(api, "acme", event.id, deliveryId, address, messages[0].content);
}

TEST_CASE("Email goes over STARTTLS with AUTH PLAIN to a server whose certificate is signed by the configured CA", "[e2e]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	MailServer::Options options;
	options.starttlsCertificate = certificates.certificateFile("localhost");
	options.starttlsKey = certificates.keyFile("localhost");
	options.username = "hookgate";
	options.password = "correct horse battery staple";
	MailServer mail(options);
	mail.start();
	GatewayProcess gateway(smtpProperties(mail.port(), {
		{"hookgate.smtp.host", "localhost"},
		{"hookgate.smtp.tls", "starttls"},
		{"hookgate.smtp.username", options.username},
		{"hookgate.smtp.password", options.password},
		{"hookgate.smtp.caFile", certificates.caFile()},
	}));
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const std::string address = "ops@acme.example";
	createEmailEndpoint(api, "acme", address);
	const Steps::Event event = Steps::postEvent(api, "acme", TYPE, R"({"booking":1})");
	REQUIRE(event.deliveryIds.size() == 1);

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	INFO("mail server commands: " << verbsOf(mail.commands()));
	INFO("mail server log: " << mail.log());
	CHECK(Steps::stringOf(delivery, "status") == "succeeded");
	CHECK(Steps::intOf(delivery, "responseCode") == 250);
	CHECK(attemptCodes(delivery) == std::vector<Poco::Int64>{250});

	REQUIRE(mail.waitForMessages(1, DEADLINE));
	const std::vector<MailMessage> messages = mail.messages();
	REQUIRE(messages.size() == 1);
	CHECK(messages[0].tls);
	CHECK(messages[0].authMechanism == "PLAIN");
	CHECK(messages[0].rcptTos == std::vector<std::string>{address});

	// The dialogue on that connection: TLS first, then AUTH, then the mail.
	std::vector<std::string> verbs;
	for (const MailCommand& command: mail.commands())
		if (command.connection == messages[0].connection) verbs.push_back(command.verb);
	const std::vector<std::string> expected = {"EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA"};
	REQUIRE(verbs.size() >= expected.size());
	CHECK(std::vector<std::string>(verbs.begin(), verbs.begin() + static_cast<long>(expected.size())) == expected);
	checkMessage(api, "acme", event.id, event.deliveryIds[0], address, messages[0].content);
}

TEST_CASE("A server without STARTTLS fails the attempt at STARTTLS when STARTTLS is configured and receives nothing", "[e2e]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	MailServer mail;  // plain: no STARTTLS offered
	mail.start();
	GatewayProcess gateway(smtpProperties(mail.port(), {
		{"hookgate.smtp.host", "localhost"},
		{"hookgate.smtp.tls", "starttls"},
		{"hookgate.smtp.username", "hookgate"},
		{"hookgate.smtp.password", "secret"},
		{"hookgate.smtp.caFile", certificates.caFile()},
	}));  // retrySchedule 100ms, 100ms: three attempts, then failed
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	createEmailEndpoint(api, "acme", "ops@acme.example");
	const Steps::Event event = Steps::postEvent(api, "acme", TYPE, R"({"booking":2})");
	REQUIRE(event.deliveryIds.size() == 1);

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "failed", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	INFO("mail server commands: " << verbsOf(mail.commands()));
	CHECK(Steps::stringOf(delivery, "status") == "failed");
	const std::vector<Poco::JSON::Object::Ptr> attempts = attemptsOf(delivery);
	CHECK(attempts.size() == 3);  // transient: retried on the schedule
	for (const auto& attempt: attempts)
	{
		const std::string error = Steps::stringOf(attempt, "error");
		INFO("attempt error: " << error);
		CHECK(error.find("SMTP STARTTLS failed") != std::string::npos);
		CHECK(Steps::intOf(attempt, "responseCode") != 250);
	}

	// The gateway did connect (and say EHLO) but sent no AUTH, envelope or data.
	CHECK(mail.connections() >= 1);
	CHECK(mail.countCommands("EHLO") >= 1);
	CHECK(mail.countCommands("AUTH") == 0);
	CHECK(mail.countCommands("MAIL") == 0);
	CHECK(mail.countCommands("RCPT") == 0);
	CHECK(mail.countCommands("DATA") == 0);
	CHECK(mail.messageCount() == 0);
}

TEST_CASE("A mail server whose certificate is not valid for the host is refused at STARTTLS and receives nothing", "[e2e]")
{
	const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
	MailServer::Options options;
	options.starttlsCertificate = certificates.certificateFile("wrong-name");  // signed by the CA, for wrong.example.com
	options.starttlsKey = certificates.keyFile("wrong-name");
	MailServer mail(options);
	mail.start();
	GatewayProcess gateway(smtpProperties(mail.port(), {
		{"hookgate.smtp.host", "localhost"},
		{"hookgate.smtp.tls", "starttls"},
		{"hookgate.smtp.caFile", certificates.caFile()},
	}));
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	createEmailEndpoint(api, "acme", "ops@acme.example");
	const Steps::Event event = Steps::postEvent(api, "acme", TYPE, R"({"booking":6})");
	REQUIRE(event.deliveryIds.size() == 1);

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "failed", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	INFO("mail server commands: " << verbsOf(mail.commands()));
	CHECK(Steps::stringOf(delivery, "status") == "failed");
	const std::vector<Poco::JSON::Object::Ptr> attempts = attemptsOf(delivery);
	CHECK(attempts.size() == 3);  // a TLS failure is transient: retried on the schedule
	for (const auto& attempt: attempts)
	{
		const std::string error = Steps::stringOf(attempt, "error");
		INFO("attempt error: " << error);
		CHECK(error.find("STARTTLS") != std::string::npos);
		CHECK(error.find("certificate") != std::string::npos);
	}
	CHECK(mail.countCommands("STARTTLS") >= 1);
	CHECK(mail.countCommands("MAIL") == 0);
	CHECK(mail.countCommands("DATA") == 0);
	CHECK(mail.messageCount() == 0);
}

TEST_CASE("A 451 from the mail server is retried and the message is then accepted", "[e2e]")
{
	MailServer mail;
	mail.start();
	mail.reply("DATA", "451 4.3.0 try again later", 1);
	GatewayProcess gateway(smtpProperties(mail.port()));
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const std::string address = "ops@acme.example";
	createEmailEndpoint(api, "acme", address);
	const Steps::Event event = Steps::postEvent(api, "acme", TYPE, R"({"booking":3})");
	REQUIRE(event.deliveryIds.size() == 1);

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	INFO("mail server commands: " << verbsOf(mail.commands()));
	CHECK(Steps::intOf(delivery, "attemptCount") == 2);
	CHECK(Steps::intOf(delivery, "responseCode") == 250);
	CHECK(attemptCodes(delivery) == std::vector<Poco::Int64>{451, 250});
	const std::vector<Poco::JSON::Object::Ptr> attempts = attemptsOf(delivery);
	REQUIRE(attempts.size() == 2);
	CHECK(Steps::stringOf(attempts[0], "error").find("SMTP DATA failed: 451 4.3.0 try again later") != std::string::npos);

	REQUIRE(mail.waitForMessages(1, DEADLINE));
	CHECK_FALSE(mail.waitForMessages(2, QUIET));
	CHECK(mail.countCommands("DATA") == 2);
	checkMessage(api, "acme", event.id, event.deliveryIds[0], address, mail.messages().at(0).content);
}

TEST_CASE("A 550 from the mail server fails the delivery at once and its replay is accepted later", "[e2e]")
{
	MailServer mail;
	mail.start();
	mail.reply("RCPT", "550 5.1.1 no such user");
	GatewayProcess gateway(smtpProperties(mail.port()));  // retrySchedule 100ms, 100ms
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const std::string address = "nobody@acme.example";
	createEmailEndpoint(api, "acme", address);
	const Steps::Event event = Steps::postEvent(api, "acme", TYPE, R"({"booking":4})");
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string original = event.deliveryIds[0];

	Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", original, "failed", DEADLINE);
	REQUIRE(delivery);
	{
		INFO("delivery: " << ApiClient::canonical(delivery));
		INFO("mail server commands: " << verbsOf(mail.commands()));
		CHECK(Steps::stringOf(delivery, "status") == "failed");
		CHECK(Steps::intOf(delivery, "attemptCount") == 1);
		CHECK(Steps::intOf(delivery, "responseCode") == 550);
		CHECK(Steps::hasNull(delivery, "nextAttemptAt"));
		const std::vector<Poco::JSON::Object::Ptr> attempts = attemptsOf(delivery);
		REQUIRE(attempts.size() == 1);
		CHECK(Steps::intOf(attempts[0], "responseCode") == 550);
		CHECK(Steps::stringOf(attempts[0], "error").find("SMTP RCPT TO failed: 550 5.1.1 no such user") != std::string::npos);
		// Not retried: one RCPT in all, and no message.
		CHECK_FALSE(waitUntil([&]() { return mail.countCommands("RCPT") > 1; }, QUIET));
		CHECK(mail.countCommands("RCPT") == 1);
		CHECK(mail.messageCount() == 0);
	}

	// The mailbox exists now: the replay is mailed.
	mail.clearReplies("RCPT");
	const ApiResponse replay = api.post("/api/v1/accounts/acme/deliveries/" + original + "/replay", "{}");
	INFO("POST .../replay -> " << replay.describe());
	REQUIRE(replay.status == 202);
	REQUIRE(replay.json);
	const std::string replayId = Steps::stringOf(replay.json, "id");
	CHECK(replayId.rfind("dlv_", 0) == 0);
	CHECK(replayId != original);
	CHECK(Steps::stringOf(replay.json, "replayOf") == original);

	Poco::JSON::Object::Ptr replayed = Steps::waitForDeliveryStatus(api, "acme", replayId, "succeeded", DEADLINE);
	REQUIRE(replayed);
	INFO("replay: " << ApiClient::canonical(replayed));
	CHECK(Steps::stringOf(replayed, "transport") == "email");
	CHECK(Steps::intOf(replayed, "responseCode") == 250);
	CHECK(attemptCodes(replayed) == std::vector<Poco::Int64>{250});
	REQUIRE(mail.waitForMessages(1, DEADLINE));
	CHECK_FALSE(mail.waitForMessages(2, QUIET));
	const MailMessage message = mail.messages().at(0);
	CHECK(message.rcptTos == std::vector<std::string>{address});
	checkMessage(api, "acme", event.id, replayId, address, message.content);
	CHECK(rawOf(api, "acme", replayId) == rawOf(api, "acme", original));

	Poco::JSON::Object::Ptr originalNow = Steps::getDelivery(api, "acme", original);
	REQUIRE(originalNow);
	CHECK(Steps::stringOf(originalNow, "status") == "failed");
	CHECK(Steps::intOf(originalNow, "replayCount") == 1);
}

TEST_CASE("A stopped mail server is retried and gets the message once it is started again on its port", "[e2e]")
{
	MailServer mail;
	mail.start();
	const Poco::UInt16 port = mail.port();
	mail.stop();
	GatewayProcess gateway(smtpProperties(port, {
		{"hookgate.delivery.retrySchedule", "300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, "
			"300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms"},
	}));
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const std::string address = "ops@acme.example";
	createEmailEndpoint(api, "acme", address);
	const Steps::Event event = Steps::postEvent(api, "acme", TYPE, R"({"booking":5})");
	REQUIRE(event.deliveryIds.size() == 1);
	const std::string deliveryId = event.deliveryIds[0];

	// While the server is down: a failed attempt naming the connect stage, still pending.
	Poco::JSON::Object::Ptr delivery = waitForAttempts(api, "acme", deliveryId, 1);
	REQUIRE(delivery);
	{
		INFO("delivery: " << ApiClient::canonical(delivery));
		CHECK(Steps::stringOf(delivery, "status") == "pending");
		const std::vector<Poco::JSON::Object::Ptr> attempts = attemptsOf(delivery);
		REQUIRE_FALSE(attempts.empty());
		const std::string error = Steps::stringOf(attempts[0], "error");
		INFO("first attempt error: " << error);
		CHECK(error.find("SMTP connect failed") != std::string::npos);
		CHECK(Steps::intOf(attempts[0], "responseCode") != 250);
	}

	mail.start(port);
	delivery = Steps::waitForDeliveryStatus(api, "acme", deliveryId, "succeeded", DEADLINE);
	REQUIRE(delivery);
	INFO("delivery: " << ApiClient::canonical(delivery));
	CHECK(Steps::intOf(delivery, "responseCode") == 250);
	const std::vector<Poco::JSON::Object::Ptr> attempts = attemptsOf(delivery);
	REQUIRE(attempts.size() >= 2);
	for (std::size_t i = 0; i + 1 < attempts.size(); ++i)
	{
		INFO("attempt #" << i + 1 << " error: " << Steps::stringOf(attempts[i], "error"));
		CHECK(Steps::stringOf(attempts[i], "error").find("SMTP connect failed") != std::string::npos);
	}
	CHECK(Steps::intOf(attempts.back(), "responseCode") == 250);
	REQUIRE(mail.waitForMessages(1, DEADLINE));
	CHECK_FALSE(mail.waitForMessages(2, QUIET));
	checkMessage(api, "acme", event.id, deliveryId, address, mail.messages().at(0).content);
}

TEST_CASE("A hundred events to one email endpoint share a few SMTP connections", "[e2e]")
{
	const int workers = 8;
	MailServer::Options options;
	options.dataDelay = Poco::Timespan(0, 200000);  // a slow server: the workers are busy at once
	MailServer mail(options);
	mail.start();
	GatewayProcess gateway(smtpProperties(mail.port(), {{"hookgate.delivery.workers", std::to_string(workers)}}));
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	createEmailEndpoint(api, "acme", "ops@acme.example");
	const std::size_t total = 100;
	std::map<std::string, std::string> deliveryOfEvent;
	for (std::size_t i = 0; i < total; ++i)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", TYPE, "{\"booking\":" + std::to_string(i) + "}");
		REQUIRE(event.deliveryIds.size() == 1);
		deliveryOfEvent[event.id] = event.deliveryIds[0];
	}
	REQUIRE(deliveryOfEvent.size() == total);

	REQUIRE(mail.waitForMessages(total, Poco::Timespan(90, 0)));
	CHECK_FALSE(mail.waitForMessages(total + 1, QUIET));

	// One message per event, each with its own event id.
	std::multiset<std::string> webhookIds;
	for (const MailMessage& message: mail.messages()) webhookIds.insert(rawHeader(message.content, "X-Webhook-Id"));
	std::multiset<std::string> eventIds;
	for (const auto& entry: deliveryOfEvent) eventIds.insert(entry.first);
	CHECK(webhookIds == eventIds);
	for (const auto& entry: deliveryOfEvent)
	{
		Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", entry.second, "succeeded", DEADLINE);
		INFO("delivery: " << (delivery ? ApiClient::canonical(delivery) : std::string("none")));
		CHECK(Steps::intOf(delivery, "responseCode") == 250);
	}

	const int connections = mail.connections();
	INFO("SMTP connections for " << total << " messages: " << connections << " (workers: " << workers << "), "
		<< mail.countCommands("RSET") << " RSET, " << mail.countCommands("EHLO") << " EHLO");
	CHECK(connections >= 1);
	CHECK(connections <= workers);
}

TEST_CASE("Pickup mode writes one parseable .eml file per delivery into the pickup folder", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway({{"hookgate.smtp.from", SENDER}});  // hookgate.smtp.mode not set: pickup is the default
	REQUIRE(gateway.properties().count("hookgate.smtp.mode") == 0);
	const std::string outbox = gateway.properties().at("hookgate.smtp.pickupDir");
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);

	Steps::createAccount(api, "acme");
	const std::string address = "inbox@acme.example";
	createEndpoint(api, "acme", "{\"url\":" + Steps::jsonString(receiver.url("/hook"))
		+ ",\"email\":" + Steps::jsonString(address) + ",\"eventTypes\":[\"" + TYPE + "\"]}");

	// One after the other, so the file names must sort in delivery order.
	std::vector<std::pair<std::string, std::string>> sent;  // event id, delivery id
	for (int i = 0; i < 3; ++i)
	{
		const Steps::Event event = Steps::postEvent(api, "acme", TYPE, "{\"booking\":" + std::to_string(i) + "}");
		REQUIRE(event.deliveryIds.size() == 1);
		Poco::JSON::Object::Ptr delivery = Steps::waitForDeliveryStatus(api, "acme", event.deliveryIds[0], "succeeded", DEADLINE);
		REQUIRE(delivery);
		INFO("delivery: " << ApiClient::canonical(delivery));
		CHECK(Steps::stringOf(delivery, "status") == "succeeded");
		CHECK(Steps::stringOf(delivery, "transport") == "email");
		CHECK(Steps::hasNull(delivery, "responseCode"));
		CHECK(Steps::intOf(delivery, "attemptCount") == 1);
		sent.emplace_back(event.id, event.deliveryIds[0]);
	}

	const std::vector<std::string> names = directoryNames(outbox);
	std::string listing;
	for (const std::string& name: names) listing += name + " ";
	INFO("pickup folder " << outbox << ": " << listing);
	REQUIRE(names.size() == sent.size());  // only the messages: no temporary files left
	for (std::size_t i = 0; i < names.size(); ++i)
	{
		INFO("file " << names[i] << ", event " << sent[i].first << ", delivery " << sent[i].second);
		CHECK(Poco::endsWith(names[i], std::string(".eml")));
		checkMessage(api, "acme", sent[i].first, sent[i].second, address, readFile(outbox + "/" + names[i]));
	}
	CHECK(receiver.count() == 0);
}

TEST_CASE("An endpoint's email must be one plain address at create and at patch", "[e2e]")
{
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme", "enterprise");

	const std::string good = "bookings@acme.example";
	const Steps::Endpoint endpoint = createEmailEndpoint(api, "acme", good);
	CHECK(Steps::stringOf(endpoint.json, "email") == good);
	const std::string endpointPath = "/api/v1/accounts/acme/endpoints/" + endpoint.id;

	const std::vector<std::pair<std::string, std::string>> invalid = {
		{"two addresses", "a@acme.example, b@acme.example"},
		{"two addresses without a space", "a@acme.example,b@acme.example"},
		{"a display name", "Bookings <bookings@acme.example>"},
		{"a quoted display name", "\"Bookings\" <bookings@acme.example>"},
		{"an address in angle brackets", "<bookings@acme.example>"},
		{"CR LF and a header", "bookings@acme.example\r\nBcc: eve@evil.example"},
		{"a trailing LF", "bookings@acme.example\n"},
		{"a CR inside", "book\rings@acme.example"},
		{"no @", "bookings.acme.example"},
	};
	for (const auto& entry: invalid)
	{
		const std::string value = Steps::jsonString(entry.second);
		{
			const ApiResponse created = api.post("/api/v1/accounts/acme/endpoints",
				"{\"email\":" + value + ",\"eventTypes\":[\"*\"]}");
			checkApiError("POST endpoint with " + entry.first + " " + value, created, 422, "validation_failed", {"email"});
		}
		{
			const ApiResponse patched = api.patch(endpointPath, "{\"email\":" + value + "}");
			checkApiError("PATCH endpoint with " + entry.first + " " + value, patched, 422, "validation_failed", {"email"});
		}
	}

	// Nothing was created or changed.
	const ApiResponse now = api.get(endpointPath);
	INFO("GET endpoint -> " << now.describe());
	REQUIRE(now.status == 200);
	CHECK(Steps::stringOf(now.json, "email") == good);
	const ApiResponse list = api.get("/api/v1/accounts/acme/endpoints");
	INFO("GET endpoints -> " << list.describe());
	REQUIRE(list.status == 200);
	REQUIRE(list.json);
	REQUIRE(list.json->getArray("items"));
	CHECK(list.json->getArray("items")->size() == 1);

	// A valid change is taken.
	const ApiResponse patched = api.patch(endpointPath, "{\"email\":\"ops@acme.example\"}");
	INFO("PATCH valid email -> " << patched.describe());
	CHECK(patched.status == 200);
	CHECK(Steps::stringOf(api.get(endpointPath).json, "email") == "ops@acme.example");
}

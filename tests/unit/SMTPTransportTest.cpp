#include "transports/SMTPTransport.h"

#include "EmailPythonParser.h"
#include "HTTPTestCertificates.h"
#include "SMTPFakeServer.h"
#include "SMTPTestServer.h"
#include "TransportTestSupport.h"

#include <Poco/Exception.h>
#include <Poco/NumberFormatter.h>
#include <Poco/String.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

using Hookgate::DeliveryOutcome;
using Hookgate::DeliveryRequest;
using Hookgate::SMTPTransport;
using Hookgate::Test::EmailParsed;
using Hookgate::Test::EmailPythonParser;
using Hookgate::Test::HTTPTestCertificates;
using Hookgate::Test::SMTPFakeServer;
using Hookgate::Test::SMTPReceivedMessage;
using Hookgate::Test::SMTPTestServer;
using Hookgate::Test::port;

namespace {

const Poco::Timespan DEADLINE(10, 0);

SMTPTransport::Options plainOptions(Poco::UInt16 port)
{
	SMTPTransport::Options options;
	options.host = "127.0.0.1";
	options.port = port;
	options.tls = "none";
	options.from = "hookgate@example.org";
	return options;
}

SMTPTransport::Options tlsOptions(Poco::UInt16 port, const std::string& tls)
{
	SMTPTransport::Options options = plainOptions(port);
	options.host = "localhost";
	options.tls = tls;
	options.caFile = HTTPTestCertificates::instance().caFile();
	return options;
}

/// A test server that requires AUTH (user hookgate, password secret), also without TLS.
SMTPTestServer::Options authServerOptions()
{
	SMTPTestServer::Options options;
	options.username = "hookgate";
	options.password = "secret";
	options.authWithoutTLS = true;
	return options;
}

DeliveryRequest mail(const std::string& to = "receiver@example.com")
{
	DeliveryRequest request;
	request.target = to;
	request.headers = {{"X-Webhook-Id", "msg_2YkQ7dLhZ9"}};
	request.body = "{\"id\":\"msg_2YkQ7dLhZ9\",\"type\":\"appointment.booking.created\",\"data\":{\"customer\":\"J\xC3\xBCrgen\"}}";
	request.subject = "Buchung best\xC3\xA4tigt \xE2\x80\x93 Termin";
	request.text = "Event appointment.booking.created\n.\n..a line with dots\n";
	request.attachmentName = "appointment.booking.created_dlv_123.json";
	request.timeout = Poco::Timespan(5, 0);
	return request;
}

void requireSucceeded(const DeliveryOutcome& outcome)
{
	OUTCOME_INFO(outcome);
	REQUIRE(outcome.kind == DeliveryOutcome::Kind::Succeeded);
	CHECK(outcome.responseCode == 250);
	CHECK(outcome.error.empty());
}

} // namespace

TEST_CASE("A plain SMTP delivery is answered 250 and the message arrives intact", "[smtp]")
{
	SMTPTestServer server;
	SMTPTransport transport(plainOptions(server.port()));
	const DeliveryRequest request = mail();

	const DeliveryOutcome outcome = transport.deliver(request);
	requireSucceeded(outcome);
	CHECK(outcome.responseBody == "250 2.0.0 Ok: queued as 000001");
	CHECK(outcome.duration.totalMicroseconds() > 0);

	REQUIRE(server.waitForMessages(1, DEADLINE));
	const std::vector<SMTPReceivedMessage> messages = server.messages();
	REQUIRE(messages.size() == 1);
	const SMTPReceivedMessage& received = messages[0];
	CHECK(received.mailFrom == "hookgate@example.org");
	CHECK(received.rcptTos == std::vector<std::string>{"receiver@example.com"});
	CHECK(received.mailOptions.size() == 1);
	CHECK(Poco::startsWith(received.mailOptions.at(0), std::string("SIZE=")));
	CHECK_FALSE(received.tls);

	const EmailParsed parsed = EmailPythonParser::parse(received.content);
	INFO(received.content);
	CHECK(parsed.defects.empty());
	CHECK(parsed.onlyCRLF);
	CHECK(parsed.header("From") == "hookgate@example.org");
	CHECK(parsed.header("To") == "receiver@example.com");
	CHECK(parsed.header("Subject") == request.subject);
	CHECK(parsed.header("X-Webhook-Id") == "msg_2YkQ7dLhZ9");
	CHECK(Poco::endsWith(parsed.header("Message-ID"), std::string("@example.org>")));
	REQUIRE(parsed.parts.size() == 2);
	CHECK(parsed.parts[0].text == request.text);
	CHECK(parsed.parts[1].filename == request.attachmentName);
	CHECK(parsed.parts[1].contentType == "application/json");
	CHECK(parsed.parts[1].data == request.body);
}

TEST_CASE("STARTTLS with AUTH PLAIN delivers when the server certificate is verified against caFile", "[smtp]")
{
	SMTPTestServer::Options serverOptions;
	serverOptions.starttlsCertificate = "localhost";
	serverOptions.username = "hookgate";
	serverOptions.password = "s3cret p\xC3\xA4ss";
	SMTPTestServer server(serverOptions);

	SMTPTransport::Options options = tlsOptions(server.port(), "starttls");
	options.username = "hookgate";
	options.password = "s3cret p\xC3\xA4ss";
	SMTPTransport transport(options);

	requireSucceeded(transport.deliver(mail()));
	REQUIRE(server.waitForMessages(1, DEADLINE));
	const SMTPReceivedMessage received = server.messages().at(0);
	CHECK(received.tls);
	CHECK(received.authMechanism == "PLAIN");

	// The kept session stays encrypted and authenticated.
	requireSucceeded(transport.deliver(mail()));
	REQUIRE(server.waitForMessages(2, DEADLINE));
	CHECK(server.messages().at(1).tls);
	CHECK(server.connections() == 1);
}

TEST_CASE("AUTH LOGIN is used when the server offers only LOGIN", "[smtp]")
{
	SMTPTestServer::Options serverOptions = authServerOptions();
	serverOptions.authExclude = {"PLAIN"};
	SMTPTestServer server(serverOptions);

	SMTPTransport::Options options = plainOptions(server.port());
	options.username = "hookgate";
	options.password = "secret";
	SMTPTransport transport(options);

	requireSucceeded(transport.deliver(mail()));
	REQUIRE(server.waitForMessages(1, DEADLINE));
	CHECK(server.messages().at(0).authMechanism == "LOGIN");
}

TEST_CASE("Wrong credentials fail the AUTH stage permanently with the server's reply", "[smtp]")
{
	SMTPTestServer server(authServerOptions());

	SMTPTransport::Options options = plainOptions(server.port());
	options.username = "hookgate";
	options.password = "wrong";
	SMTPTransport transport(options);

	const DeliveryOutcome outcome = transport.deliver(mail());
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(outcome.responseCode == 535);
	CHECK(outcome.error == "SMTP AUTH failed: 535 5.7.8 Authentication credentials invalid");
	CHECK(server.messages().empty());
}

TEST_CASE("Without credentials a server that requires AUTH refuses MAIL FROM permanently", "[smtp]")
{
	SMTPTestServer server(authServerOptions());
	SMTPTransport transport(plainOptions(server.port()));

	const DeliveryOutcome outcome = transport.deliver(mail());
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(outcome.responseCode == 530);
	CHECK(outcome.error == "SMTP MAIL FROM failed: 530 5.7.0 Authentication required");
}

TEST_CASE("tls=starttls against a server without STARTTLS fails at the STARTTLS stage and sends nothing", "[smtp]")
{
	SMTPTestServer server;
	SMTPTransport transport(tlsOptions(server.port(), "starttls"));

	const DeliveryOutcome outcome = transport.deliver(mail());
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "SMTP STARTTLS failed: localhost (127.0.0.1:" + port(server.port()) + ") does not offer STARTTLS, which is required; nothing was sent");
	CHECK(Poco::startsWith(outcome.responseBody, std::string("250-localhost")));
	CHECK(transport.idleSessions() == 0);
	CHECK(server.connections() == 1);
	CHECK(server.messages().empty());
}

TEST_CASE("A server certificate that cannot be verified fails the STARTTLS stage and sends nothing", "[smtp]")
{
	SMTPTestServer::Options serverOptions;
	SMTPTransport::Options options;
	std::string expected;
	SECTION("issued for another host name")
	{
		serverOptions.starttlsCertificate = "wrong-name";
		expected = "SMTP STARTTLS failed: TLS certificate verification failed for localhost: the certificate is not valid for this host name";
	}
	SECTION("issued for the name, but the host is given as an IP address")
	{
		serverOptions.starttlsCertificate = "dns-only";
		expected = "SMTP STARTTLS failed: TLS certificate verification failed for 127.0.0.1: the certificate is not valid for this host name";
	}
	SECTION("issued by a CA that is not trusted")
	{
		serverOptions.starttlsCertificate = "localhost";
		expected = "SMTP STARTTLS failed: TLS certificate verification failed for localhost: unable to get local issuer certificate";
	}
	SMTPTestServer server(serverOptions);
	options = tlsOptions(server.port(), "starttls");
	if (serverOptions.starttlsCertificate == "dns-only")
		options.host = "127.0.0.1";
	if (Poco::endsWith(expected, std::string("local issuer certificate")))
		options.caFile.clear();  // the system bundle

	SMTPTransport transport(options);
	const DeliveryOutcome outcome = transport.deliver(mail());
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(Poco::startsWith(outcome.error, expected));
	CHECK(server.messages().empty());
}

TEST_CASE("Implicit TLS delivers with TLS from the first byte", "[smtp]")
{
	SMTPTestServer::Options serverOptions;
	serverOptions.implicitCertificate = "localhost";
	SMTPTestServer server(serverOptions);
	SMTPTransport transport(tlsOptions(server.port(), "implicit"));

	requireSucceeded(transport.deliver(mail()));
	REQUIRE(server.waitForMessages(1, DEADLINE));
	CHECK(server.messages().at(0).tls);

	SMTPTransport::Options wrongName = tlsOptions(server.port(), "implicit");
	wrongName.host = "127.0.0.1";
	wrongName.caFile.clear();
	const DeliveryOutcome refused = SMTPTransport(wrongName).deliver(mail());
	OUTCOME_INFO(refused);
	CHECK(refused.kind == DeliveryOutcome::Kind::Transient);
	CHECK(Poco::startsWith(refused.error, std::string("SMTP connect failed: TLS certificate verification failed for 127.0.0.1: ")));
}

TEST_CASE("SMTP 451 is retried, 550 is final, and the session survives both", "[smtp]")
{
	SMTPTestServer server;
	SMTPTransport transport(plainOptions(server.port()));

	struct Case
	{
		std::string command;
		std::string reply;
		DeliveryOutcome::Kind kind;
		int code;
		std::string error;
	};
	const std::vector<Case> cases = {
		{"RCPT", "451 4.3.0 try again later", DeliveryOutcome::Kind::Transient, 451, "SMTP RCPT TO failed: 451 4.3.0 try again later"},
		{"RCPT", "550 5.1.1 no such user", DeliveryOutcome::Kind::Permanent, 550, "SMTP RCPT TO failed: 550 5.1.1 no such user"},
		{"DATA", "451 4.3.0 queue full", DeliveryOutcome::Kind::Transient, 451, "SMTP DATA failed: 451 4.3.0 queue full"},
		{"DATA", "550 5.7.1 message rejected", DeliveryOutcome::Kind::Permanent, 550, "SMTP DATA failed: 550 5.7.1 message rejected"},
		{"MAIL", "553 5.1.8 sender rejected", DeliveryOutcome::Kind::Permanent, 553, "SMTP MAIL FROM failed: 553 5.1.8 sender rejected"},
	};
	for (const Case& c: cases)
	{
		server.script(c.command, c.reply);
		const DeliveryOutcome outcome = transport.deliver(mail());
		OUTCOME_INFO(outcome);
		CHECK(outcome.kind == c.kind);
		CHECK(outcome.responseCode == c.code);
		CHECK(outcome.error == c.error);
		CHECK(outcome.responseBody == c.reply);
		server.script(c.command, "");
	}
	CHECK(server.messages().empty());

	requireSucceeded(transport.deliver(mail()));
	REQUIRE(server.waitForMessages(1, DEADLINE));
	CHECK(server.connections() == 1);  // RSET after each failure, no reconnect
}

TEST_CASE("A stopped server is a transient connect failure", "[smtp]")
{
	SMTPTestServer server;
	const Poco::UInt16 serverPort = server.port();
	SMTPTransport transport(plainOptions(serverPort));
	requireSucceeded(transport.deliver(mail()));
	server.stop();

	const DeliveryOutcome outcome = transport.deliver(mail());
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "SMTP connect failed: connection refused by 127.0.0.1:" + port(serverPort));
	CHECK(transport.idleSessions() == 0);
}

TEST_CASE("Twenty consecutive deliveries use one connection", "[smtp]")
{
	SMTPTestServer server;
	SMTPTransport transport(plainOptions(server.port()));
	for (int i = 0; i < 20; ++i)
		requireSucceeded(transport.deliver(mail()));
	REQUIRE(server.waitForMessages(20, DEADLINE));
	CHECK(server.messages().size() == 20);
	CHECK(server.connections() == 1);
	CHECK(transport.idleSessions() == 1);
}

TEST_CASE("Concurrent deliveries share a small pool of connections", "[smtp]")
{
	SMTPTestServer server;
	SMTPTransport::Options options = plainOptions(server.port());
	options.maxIdle = 4;
	SMTPTransport transport(options);

	std::atomic<int> succeeded{0};
	std::vector<std::thread> workers;
	for (int w = 0; w < 4; ++w)
	{
		workers.emplace_back([&]() {
			for (int i = 0; i < 6; ++i)
			{
				if (transport.deliver(mail()).succeeded())
					++succeeded;
			}
		});
	}
	for (auto& worker: workers)
		worker.join();
	CHECK(succeeded == 24);
	REQUIRE(server.waitForMessages(24, DEADLINE));
	CHECK(server.connections() <= 4);
	CHECK(transport.idleSessions() <= 4);
}

TEST_CASE("An invalid recipient or header fails permanently without a connection", "[smtp]")
{
	SMTPTestServer server;
	SMTPTransport transport(plainOptions(server.port()));

	DeliveryOutcome outcome = transport.deliver(mail("a@example.com, b@example.com"));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "invalid recipient address \"a@example.com, b@example.com\": exactly one address, without ',' or ';'");

	DeliveryRequest request = mail();
	request.subject = "Hi\r\nBcc: victim@example.com";
	outcome = transport.deliver(request);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(outcome.error == "invalid subject: contains CR, LF or NUL");
	CHECK(server.connections() == 0);
}

TEST_CASE("Invalid SMTP options are refused when the transport is made", "[smtp]")
{
	SMTPTransport::Options options = plainOptions(25);
	options.tls = "sometimes";
	CHECK_THROWS_AS(SMTPTransport(options), Poco::InvalidArgumentException);
	options = plainOptions(25);
	options.from = "not an address";
	CHECK_THROWS_AS(SMTPTransport(options), Poco::InvalidArgumentException);
	options = tlsOptions(25, "starttls");
	options.caFile = "/nonexistent/ca.pem";
	CHECK_THROWS_AS(SMTPTransport(options), Poco::FileNotFoundException);
	options = plainOptions(25);
	options.heloName = "bad name";
	CHECK_THROWS_AS(SMTPTransport(options), Poco::InvalidArgumentException);
}

TEST_CASE("A session the server closed while idle is replaced by a new connection", "[smtp]")
{
	SMTPFakeServer server{SMTPFakeServer::Script()};
	SMTPTransport transport(plainOptions(server.port()));
	requireSucceeded(transport.deliver(mail()));
	REQUIRE(transport.idleSessions() == 1);

	SECTION("closed without a word")
	{
		REQUIRE(server.closeConnections("", DEADLINE));
	}
	SECTION("closed after a 421")
	{
		REQUIRE(server.closeConnections("421 4.4.2 fake.test idle timeout", DEADLINE));
	}
	requireSucceeded(transport.deliver(mail()));
	CHECK(server.connections() == 2);
	CHECK(server.messages() == 2);
}

TEST_CASE("A kept session whose RSET fails is replaced by a new connection", "[smtp]")
{
	SMTPFakeServer::Script script;
	SECTION("421 and close")
	{
		script.rsetReply = "421 4.3.2 shutting down";
	}
	SECTION("an error reply on an open connection")
	{
		script.rsetReply = "502 5.5.1 RSET not implemented";
	}
	SMTPFakeServer server(script);
	SMTPTransport transport(plainOptions(server.port()));
	requireSucceeded(transport.deliver(mail()));
	requireSucceeded(transport.deliver(mail()));
	CHECK(server.connections() == 2);
	CHECK(server.messages() == 2);
	const std::vector<std::string> commands = server.commands();
	CHECK(std::count(commands.begin(), commands.end(), "RSET") == 1);
}

TEST_CASE("A server that never greets times out at the connect stage", "[smtp]")
{
	SMTPFakeServer::Script script;
	script.greet = false;
	SMTPFakeServer server(script);
	SMTPTransport transport(plainOptions(server.port()));
	DeliveryRequest request = mail();
	request.timeout = Poco::Timespan(0, 300 * 1000);

	const DeliveryOutcome outcome = transport.deliver(request);
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "SMTP connect failed: timeout after 300 ms waiting for 127.0.0.1:" + port(server.port()));
	CHECK(outcome.duration.totalMilliseconds() >= 250);
	CHECK(outcome.duration.totalMilliseconds() < 5000);
}

TEST_CASE("A server that breaks off a multi-line reply fails the attempt instead of hanging", "[smtp]")
{
	SMTPFakeServer::Script script;
	script.ehloThenClose = "250-fake.test\r\n250-SIZE 1000";
	SMTPFakeServer server(script);
	SMTPTransport transport(plainOptions(server.port()));

	const DeliveryOutcome outcome = transport.deliver(mail());
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "SMTP EHLO failed: connection closed by 127.0.0.1:" + port(server.port()) + " in the middle of a reply");
	CHECK(server.messages() == 0);
}

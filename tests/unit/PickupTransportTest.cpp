#include "transports/PickupTransport.h"

#include "EmailPythonParser.h"
#include "TransportTestSupport.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/RegularExpression.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

using Hookgate::DeliveryOutcome;
using Hookgate::DeliveryRequest;
using Hookgate::PickupTransport;
using Hookgate::Test::EmailParsed;
using Hookgate::Test::EmailPythonParser;

namespace {

DeliveryRequest mail(int n)
{
	DeliveryRequest request;
	request.target = "receiver@example.com";
	request.headers = {{"X-Webhook-Id", "msg_" + std::to_string(n)}};
	request.body = "{\"id\":\"msg_" + std::to_string(n) + "\",\"type\":\"appointment.booking.created\"}";
	request.subject = "Buchung best\xC3\xA4tigt \xE2\x80\x93 Termin " + std::to_string(n);
	request.text = "Event appointment.booking.created\n";
	request.attachmentName = "appointment.booking.created_dlv_" + std::to_string(n) + ".json";
	return request;
}

/// File names in directory, sorted.
std::vector<std::string> listing(const std::string& directory)
{
	std::vector<std::string> names;
	for (Poco::DirectoryIterator it(directory), end; it != end; ++it)
		names.push_back(it.name());
	std::sort(names.begin(), names.end());
	return names;
}

} // namespace

TEST_CASE("Each pickup delivery writes one parseable .eml file whose names sort by time, and no temporary file is left", "[pickup]")
{
	Poco::TemporaryFile root;
	const std::string directory = Poco::Path(root.path(), "outbox/new").toString();  // created when missing
	PickupTransport transport({directory, "Hookgate <hookgate@example.org>"});

	std::vector<std::string> written;
	for (int n = 0; n < 5; ++n)
	{
		const DeliveryOutcome outcome = transport.deliver(mail(n));
		OUTCOME_INFO(outcome);
		REQUIRE(outcome.kind == DeliveryOutcome::Kind::Succeeded);
		CHECK(outcome.responseCode == 0);
		CHECK(outcome.error.empty());
		written.push_back(outcome.responseBody);
	}

	const std::vector<std::string> names = listing(directory);
	CHECK(names == written);  // sorted by name = in delivery order, nothing else (no .tmp- files)
	const Poco::RegularExpression pattern("^[0-9]{8}T[0-9]{6}\\.[0-9]{6}Z-[0-9a-f]{8}\\.eml$");
	for (std::size_t n = 0; n < names.size(); ++n)
	{
		INFO(names[n]);
		CHECK(pattern.match(names[n]));
		const EmailParsed parsed = EmailPythonParser::parseFile(Poco::Path(directory, names[n]).toString());
		CHECK(parsed.defects.empty());
		CHECK(parsed.onlyCRLF);
		CHECK(parsed.header("From") == "Hookgate <hookgate@example.org>");
		CHECK(parsed.header("To") == "receiver@example.com");
		CHECK(parsed.header("Subject") == mail(static_cast<int>(n)).subject);
		CHECK(parsed.header("X-Webhook-Id") == "msg_" + std::to_string(n));
		REQUIRE(parsed.parts.size() == 2);
		CHECK(parsed.parts[1].filename == mail(static_cast<int>(n)).attachmentName);
		CHECK(parsed.parts[1].data == mail(static_cast<int>(n)).body);
	}
}

TEST_CASE("Concurrent pickup deliveries each write their own file", "[pickup]")
{
	Poco::TemporaryFile root;
	PickupTransport transport({root.path(), "hookgate@localhost"});
	std::vector<std::thread> workers;
	for (int w = 0; w < 4; ++w)
	{
		workers.emplace_back([&transport, w]() {
			for (int i = 0; i < 25; ++i)
				transport.deliver(mail(w * 100 + i));
		});
	}
	for (auto& worker: workers)
		worker.join();
	const std::vector<std::string> names = listing(root.path());
	CHECK(names.size() == 100);
	CHECK(std::none_of(names.begin(), names.end(), [](const std::string& name) { return name[0] == '.'; }));
}

TEST_CASE("A pickup directory that cannot be written is a transient failure naming the path", "[pickup]")
{
	Poco::TemporaryFile blocker;  // a regular file where the directory should be
	{
		Poco::FileOutputStream ostr(blocker.path());
		ostr << "not a directory";
	}
	PickupTransport transport({blocker.path(), "hookgate@localhost"});
	const DeliveryOutcome outcome = transport.deliver(mail(1));
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Transient);
	CHECK(outcome.responseCode == 0);
	CHECK(outcome.error == "cannot create pickup directory " + blocker.path() + ": a file of that name exists");
}

TEST_CASE("An invalid pickup message is a permanent failure and writes nothing", "[pickup]")
{
	Poco::TemporaryFile root;
	root.createDirectories();
	PickupTransport transport({root.path(), "hookgate@localhost"});
	DeliveryRequest request = mail(1);
	request.headers = {{"X-Webhook-Id", "msg_1\r\nBcc: victim@example.com"}};
	const DeliveryOutcome outcome = transport.deliver(request);
	OUTCOME_INFO(outcome);
	CHECK(outcome.kind == DeliveryOutcome::Kind::Permanent);
	CHECK(outcome.error == "invalid value for header X-Webhook-Id: contains CR, LF or NUL");
	CHECK(listing(root.path()).empty());
	CHECK_THROWS_AS(PickupTransport({"", "hookgate@localhost"}), Poco::InvalidArgumentException);
	CHECK_THROWS_AS(PickupTransport({root.path(), "hookgate"}), Poco::InvalidArgumentException);
}

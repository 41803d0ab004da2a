#include "gateway/core/EventCatalog.h"
#include "gateway/core/Model.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/core/DomainError.h"
#include "gateway/core/EndpointRules.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace Hookgate;

namespace {

Poco::JSON::Object::Ptr body(const std::string& hierarchy)
{
	Poco::JSON::Parser parser;
	return parser.parse("{\"url\":\"https://erp.example.com/hook\",\"eventTypes\":[\"appointment.booking.created\"],\"hierarchy\":\""
		+ hierarchy + "\"}").extract<Poco::JSON::Object::Ptr>();
}

} // namespace


TEST_CASE("An endpoint's hierarchy must be nested, flat or a loaded template, else 422", "[payload]")
{
	const EventCatalog catalog;
	const PayloadBuilder payloads(std::string(HOOKGATE_SOURCE_DIR) + "/templates");
	const EndpointRules rules(catalog, payloads, true);
	const Account account{"acme", "ACME", "professional", true, 0, 0};

	for (const std::string hierarchy : {"nested", "flat", "template:erp-import", "template:booking-summary"})
	{
		INFO(hierarchy);
		Endpoint endpoint;
		CHECK_NOTHROW(rules.apply(*body(hierarchy), endpoint, account));
		CHECK(endpoint.hierarchy == hierarchy);
	}
	for (const std::string hierarchy : {"template:nope", "template:", "template:../etc/passwd", "Flat", "erp-import"})
	{
		INFO(hierarchy);
		Endpoint endpoint;
		try
		{
			rules.apply(*body(hierarchy), endpoint, account);
			FAIL("accepted");
		}
		catch (const DomainError& e)
		{
			CHECK(e.code() == DomainError::Code::ValidationFailed);
			CHECK(e.field() == "hierarchy");
			const bool isTemplate = hierarchy.rfind("template:", 0) == 0;
			CHECK(e.message() == "hierarchy: '" + hierarchy + "' is not available"
				+ (isTemplate ? " (no such file in templates/hierarchy/)" : "")
				+ "; expected one of nested, flat, template:booking-summary, template:erp-import");
		}
	}

	// Without templates, a template name is refused the same way.
	const PayloadBuilder plain;
	Endpoint endpoint;
	CHECK_THROWS_AS(EndpointRules(catalog, plain, true).apply(*body("template:erp-import"), endpoint, account), DomainError);
}

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

/// Rules that allow every destination (no DNS), an account on professional, and an endpoint
/// with the required fields set.
struct RulesSetup
{
	EventCatalog catalog;
	PayloadBuilder payloads;
	EndpointRules rules{catalog, payloads, true};
	Account account{"acme", "ACME", "professional", true, 0, 0};
	Endpoint endpoint;

	RulesSetup() { rules.apply(*body("nested"), endpoint, account); }
};

/// The message of the DomainError `apply` throws for `json` on a copy of `endpoint`, "" when it accepts it.
std::string refusal(const EndpointRules& rules, const std::string& json, Endpoint endpoint, const Account& account)
{
	try
	{
		rules.apply(*parse(json), endpoint, account);
		return std::string();
	}
	catch (const DomainError& e)
	{
		CHECK(e.code() == DomainError::Code::ValidationFailed);
		// The field named apart is the one the message begins with.
		CHECK(e.message().rfind(e.field(), 0) == 0);
		return e.message();
	}
}

} // namespace

TEST_CASE("maxInFlight and rateLimit take an integer in range or null, and a body without them leaves them as they are", "[endpoint-rules]")
{
	RulesSetup setup;
	const EndpointRules& rules = setup.rules;
	const Account& account = setup.account;
	Endpoint& endpoint = setup.endpoint;
	CHECK(endpoint.maxInFlight == 0);
	CHECK(endpoint.rateLimit == 0);

	rules.apply(*parse(R"({"maxInFlight":1,"rateLimit":1})"), endpoint, account);
	CHECK(endpoint.maxInFlight == 1);
	CHECK(endpoint.rateLimit == 1);
	rules.apply(*parse(R"({"maxInFlight":1024,"rateLimit":10000})"), endpoint, account);
	CHECK(endpoint.maxInFlight == 1024);
	CHECK(endpoint.rateLimit == 10000);

	rules.apply(*parse(R"({"description":"ERP","enabled":false})"), endpoint, account);
	CHECK(endpoint.maxInFlight == 1024);
	CHECK(endpoint.rateLimit == 10000);

	rules.apply(*parse(R"({"maxInFlight":null})"), endpoint, account);
	CHECK(endpoint.maxInFlight == 0);
	CHECK(endpoint.rateLimit == 10000);
	rules.apply(*parse(R"({"rateLimit":null})"), endpoint, account);
	CHECK(endpoint.rateLimit == 0);
}

TEST_CASE("A maxInFlight or rateLimit that is not an integer in range is refused with 422 naming the field and the value", "[endpoint-rules]")
{
	RulesSetup setup;
	const EndpointRules& rules = setup.rules;
	const Account& account = setup.account;
	Endpoint endpoint = setup.endpoint;
	endpoint.maxInFlight = 4;
	endpoint.rateLimit = 20;

	const std::string inFlight = "maxInFlight: expected an integer from 1 to 1024, or null for the default (hookgate.delivery.maxInFlight); got ";
	const std::string rate = "rateLimit: expected an integer from 1 to 10000, or null for no limit; got ";
	const std::vector<std::pair<std::string, std::string>> values = {
		{"0", "0"}, {"-1", "-1"}, {"1.5", "a number that is not an integer"}, {"2.0", "a number that is not an integer"},
		{"1e2", "a number that is not an integer"}, {R"("8")", "'8'"}, {R"("")", "''"}, {"true", "true"}, {"false", "false"},
		{"[8]", "an array"}, {R"({"value":8})", "an object"}, {"4294967297", "4294967297"},
		{"18446744073709551615", "18446744073709551615"}, {"-9223372036854775808", "-9223372036854775808"},
	};
	for (const auto& [json, shown] : values)
	{
		INFO(json);
		CHECK(refusal(rules, R"({"maxInFlight":)" + json + "}", endpoint, account) == inFlight + shown);
		CHECK(refusal(rules, R"({"rateLimit":)" + json + "}", endpoint, account) == rate + shown);
	}
	CHECK(refusal(rules, R"({"maxInFlight":1025})", endpoint, account) == inFlight + "1025");
	CHECK(refusal(rules, R"({"rateLimit":10001})", endpoint, account) == rate + "10001");
	CHECK(refusal(rules, R"({"maxInFlight":")" + std::string(100, 'x') + "\"}", endpoint, account)
		== inFlight + "'" + std::string(64, 'x') + "...'");
	// 10000 is a rate, not a number in flight.
	CHECK(refusal(rules, R"({"maxInFlight":10000})", endpoint, account) == inFlight + "10000");
	CHECK(refusal(rules, R"({"maxInFlight":1024,"rateLimit":10000})", endpoint, account).empty());
}

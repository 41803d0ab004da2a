#include "gateway/EventCatalog.h"
#include "gateway/Model.h"
#include "gateway/PayloadBuilder.h"
#include "gateway/api/ApiError.h"
#include "gateway/api/EndpointRules.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <string>

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
		catch (const ApiError& e)
		{
			CHECK(e.status() == 422);
			CHECK(e.code() == "validation_failed");
			const bool isTemplate = hierarchy.rfind("template:", 0) == 0;
			CHECK(e.message() == "hierarchy: '" + hierarchy + "' is not available"
				+ (isTemplate ? " (no such file in templates/hierarchy/)" : "")
				+ "; expected one of nested, flat, template:booking-summary, template:erp-import");
		}
	}

	// Without templates, a template name is refused the same way.
	const PayloadBuilder plain;
	Endpoint endpoint;
	CHECK_THROWS_AS(EndpointRules(catalog, plain, true).apply(*body("template:erp-import"), endpoint, account), ApiError);
}

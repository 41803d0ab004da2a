#include "ErrorCheck.h"

#include "Steps.h"

#include <catch2/catch.hpp>

namespace Hookgate {
namespace Test {

void checkApiError(const std::string& what, const ApiResponse& response, int status, const std::string& code,
	const std::vector<std::string>& mentions)
{
	INFO(what << " -> " << response.describe());
	CHECK(response.status == status);
	CHECK(response.contentType.rfind("application/json", 0) == 0);
	REQUIRE(response.json);
	CHECK(response.json->size() == 1);
	Poco::JSON::Object::Ptr error = response.json->has("error") ? response.json->getObject("error") : nullptr;
	REQUIRE(error);
	CHECK(error->size() == (error->has("field") ? 3 : 2));
	CHECK(Steps::stringOf(error, "code") == code);
	const std::string message = Steps::stringOf(error, "message");
	CHECK_FALSE(message.empty());
	if (error->has("field"))
	{
		const std::string field = Steps::stringOf(error, "field");
		CHECK_FALSE(field.empty());
		CHECK(message.find(field) != std::string::npos);
	}
	for (const auto& mention: mentions)
	{
		INFO("the message should name: " << mention);
		CHECK(message.find(mention) != std::string::npos);
	}
}

std::string errorCode(const ApiResponse& response)
{
	if (!response.json || !response.json->has("error")) return std::string();
	Poco::JSON::Object::Ptr error = response.json->getObject("error");
	return Steps::stringOf(error, "code");
}

std::string errorField(const ApiResponse& response)
{
	if (!response.json || !response.json->has("error")) return std::string();
	Poco::JSON::Object::Ptr error = response.json->getObject("error");
	return error->has("field") ? Steps::stringOf(error, "field") : std::string();
}

} } // namespace Hookgate::Test

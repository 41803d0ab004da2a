#include "gateway/api/ApiError.h"
#include "gateway/api/ApiExchange.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Hookgate::ApiError;
using Hookgate::ApiExchange;
using Hookgate::DomainError;

TEST_CASE("Each refusal of the core becomes the status and code docs/api.md gives it", "[api]")
{
	struct Row
	{
		DomainError::Code code;
		int status;
		std::string name;
	};
	// docs/api.md "Errors", written out here independently of ApiError::from.
	const std::vector<Row> table = {
		{DomainError::Code::ValidationFailed, 422, "validation_failed"},
		{DomainError::Code::PlanFeatureUnavailable, 403, "plan_feature_unavailable"},
		{DomainError::Code::PlanLimitReached, 409, "plan_limit_reached"},
		{DomainError::Code::NotFound, 404, "not_found"},
		{DomainError::Code::Conflict, 409, "conflict"},
		{DomainError::Code::Forbidden, 403, "forbidden"},
		{DomainError::Code::Archived, 410, "archived"},
	};
	for (const Row& row : table)
	{
		INFO(row.name);
		const ApiError error = ApiError::from(DomainError(row.code, "plan", "plan: no"));
		CHECK(error.status() == row.status);
		CHECK(error.code() == row.name);
		CHECK(error.message() == "plan: no");
		CHECK(error.field() == "plan");
	}
}

TEST_CASE("An error body names the field at fault and leaves it out when no single field is", "[api]")
{
	CHECK(ApiExchange::errorJson(ApiError::from(DomainError::invalid("authHeader.key", "expected a string")))
		== R"({"error":{"code":"validation_failed","message":"authHeader.key: expected a string","field":"authHeader.key"}})");
	CHECK(ApiExchange::errorJson(ApiError(404, "not_found", "no such path: GET /x"))
		== R"({"error":{"code":"not_found","message":"no such path: GET /x"}})");
}

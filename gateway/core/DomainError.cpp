#include "gateway/core/DomainError.h"

namespace Hookgate {

DomainError::DomainError(Code code, std::string field, std::string message):
	_code(code),
	_field(std::move(field)),
	_message(std::move(message))
{
}

DomainError DomainError::invalid(const std::string& field, const std::string& why)
{
	return DomainError(Code::ValidationFailed, field, field + ": " + why);
}

const char* DomainError::name(Code code)
{
	switch (code)
	{
	case Code::ValidationFailed: return "validation_failed";
	case Code::PlanFeatureUnavailable: return "plan_feature_unavailable";
	case Code::PlanLimitReached: return "plan_limit_reached";
	case Code::NotFound: return "not_found";
	case Code::Conflict: return "conflict";
	case Code::Forbidden: return "forbidden";
	case Code::Archived: return "archived";
	}
	return "validation_failed";
}

} // namespace Hookgate

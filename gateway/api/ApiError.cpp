#include "gateway/api/ApiError.h"

namespace Hookgate {

ApiError ApiError::from(const DomainError& error)
{
	int status = 422;
	switch (error.code())
	{
	case DomainError::Code::ValidationFailed: status = 422; break;
	case DomainError::Code::PlanFeatureUnavailable: status = 403; break;
	case DomainError::Code::PlanLimitReached: status = 409; break;
	case DomainError::Code::NotFound: status = 404; break;
	case DomainError::Code::Conflict: status = 409; break;
	case DomainError::Code::Forbidden: status = 403; break;
	case DomainError::Code::Archived: status = 410; break;
	}
	return ApiError(status, DomainError::name(error.code()), error.message(), error.field());
}

} // namespace Hookgate

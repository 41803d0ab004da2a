#pragma once

#include <exception>
#include <string>

namespace Hookgate {

/// A business rule refused what was asked: which rule (`code`), the field at fault (empty when
/// no single field is) and a message for people that names the field, value or limit. The core
/// throws it; each caller translates it once: the API into its HTTP status and error code
/// (docs/api.md "Errors"), the properties file into a message naming the key.
class DomainError : public std::exception
{
public:
	enum class Code
	{
		ValidationFailed,        ///< a field is missing or invalid
		PlanFeatureUnavailable,  ///< the account's plan does not include it
		PlanLimitReached,        ///< one endpoint more than the plan allows
		NotFound,                ///< no such account, endpoint or delivery
		Conflict,                ///< the id exists already
		Forbidden,               ///< the caller may not do this
		Archived                 ///< the delivery's payload is past the retention period
	};

	DomainError(Code code, std::string field, std::string message);

	/// ValidationFailed of `field`; the message is "<field>: <why>".
	static DomainError invalid(const std::string& field, const std::string& why);

	Code code() const { return _code; }
	const std::string& field() const { return _field; }
	const std::string& message() const { return _message; }
	const char* what() const noexcept override { return _message.c_str(); }

	/// The code as the API names it (`validation_failed`, ...).
	static const char* name(Code code);

private:
	Code _code;
	std::string _field;
	std::string _message;
};

} // namespace Hookgate

#pragma once

#include "gateway/core/DomainError.h"

#include <exception>
#include <string>

namespace Hookgate {

/// An API failure with its HTTP status and error code (docs/api.md "Errors"); the handler
/// turns it into `{"error": {"code": ..., "message": ..., "field": ...}}` (`field` only when one
/// field is at fault). `message` is for people and names the field or value.
class ApiError : public std::exception
{
public:
	ApiError(int status, std::string code, std::string message, std::string field = std::string()):
		_status(status),
		_code(std::move(code)),
		_message(std::move(message)),
		_field(std::move(field))
	{
	}

	/// The one table from the core's refusals to the API's statuses and codes.
	static ApiError from(const DomainError& error);

	int status() const { return _status; }
	const std::string& code() const { return _code; }
	const std::string& message() const { return _message; }
	const std::string& field() const { return _field; }
	const char* what() const noexcept override { return _message.c_str(); }

	static ApiError validation(const std::string& message) { return ApiError(422, "validation_failed", message); }
	static ApiError notFound(const std::string& message) { return ApiError(404, "not_found", message); }

private:
	int _status;
	std::string _code;
	std::string _message;
	std::string _field;
};

} // namespace Hookgate

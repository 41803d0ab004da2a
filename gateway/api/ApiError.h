#pragma once

#include <Poco/Exception.h>

#include <string>

namespace Hookgate {

/// An API failure with its HTTP status and API.md error code; the handler turns it into
/// `{"error": {"code": ..., "message": ...}}`. `message` is for people and names the field or value.
class ApiError : public std::exception
{
public:
	ApiError(int status, std::string code, std::string message):
		_status(status),
		_code(std::move(code)),
		_message(std::move(message))
	{
	}

	int status() const { return _status; }
	const std::string& code() const { return _code; }
	const std::string& message() const { return _message; }
	const char* what() const noexcept override { return _message.c_str(); }

	static ApiError validation(const std::string& message) { return ApiError(422, "validation_failed", message); }
	static ApiError notFound(const std::string& message) { return ApiError(404, "not_found", message); }

private:
	int _status;
	std::string _code;
	std::string _message;
};

} // namespace Hookgate

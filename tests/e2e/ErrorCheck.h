#pragma once

#include "ApiClient.h"

#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// Checks an error answer of the API (Catch2 CHECKs, REQUIREs for the shape):
/// the status, a JSON body {"error": {"code": code, "message": "..."}} with
/// exactly these members (and `field`, a name the message mentions, when one
/// field is at fault), and a message containing every one of `mentions`
/// (the field, value, key or limit at fault).
void checkApiError(const std::string& what, const ApiResponse& response, int status, const std::string& code,
	const std::vector<std::string>& mentions = {});

/// The error code of an answer, "" when the body is not the error format.
std::string errorCode(const ApiResponse& response);

/// The `field` of an error answer, "" when it has none.
std::string errorField(const ApiResponse& response);

} } // namespace Hookgate::Test

#pragma once

#include "gateway/api/ApiExchange.h"

#include <string>

namespace Hookgate {

/// GET /api/v1/token (an extension of docs/api.md): whose token the request carries, so that a
/// client such as the dashboard can sign in with the token alone:
///
///     {"admin": true}                          the admin token
///     {"admin": false, "accountId": "acme"}    an account token
///
/// Any valid token may ask; a missing or wrong one is 401 `unauthorized` before this runs.
/// The answer comes from the authentication itself (the admin token is recognised first, so an
/// admin token of the `hgk_` shape is still the admin's), never from the token's shape. Deleting
/// an account deletes its tokens, so an account token always names an existing account.
class TokenResource
{
public:
	/// `admin` and `accountId` describe the authenticated caller (accountId empty for the admin).
	void get(ApiExchange& exchange, bool admin, const std::string& accountId);
};

} // namespace Hookgate

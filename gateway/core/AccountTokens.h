#pragma once

#include <string>

namespace Hookgate {

/// Account tokens: `hgk_` and 32 characters of [A-Za-z0-9] from the operating system's CSPRNG.
/// The store keeps only their SHA-256.
class AccountTokens
{
public:
	static std::string generate();
	/// Hex SHA-256 of the token.
	static std::string hash(const std::string& token);
	/// Whether `token` has the shape of an account token (so other tokens are not looked up).
	static bool looksLikeToken(const std::string& token);
};

} // namespace Hookgate

#include "gateway/core/AccountTokens.h"

#include <Poco/DigestEngine.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA2Engine.h>

#include <cctype>

namespace Hookgate {

namespace {

const std::string PREFIX = "hgk_";
const std::size_t LENGTH = 32;

} // namespace

std::string AccountTokens::generate()
{
	static const char ALPHABET[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	Poco::RandomInputStream random;
	std::string token = PREFIX;
	while (token.size() < PREFIX.size() + LENGTH)
	{
		const auto byte = static_cast<unsigned char>(random.get());
		if (byte < 248) token += ALPHABET[byte % 62];  // 248 = 4 * 62: no modulo bias
	}
	return token;
}

std::string AccountTokens::hash(const std::string& token)
{
	Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
	engine.update(token);
	return Poco::DigestEngine::digestToHex(engine.digest());
}

bool AccountTokens::looksLikeToken(const std::string& token)
{
	if (token.size() < PREFIX.size() + 20 || token.size() > 200 || token.compare(0, PREFIX.size(), PREFIX) != 0) return false;
	for (std::size_t i = PREFIX.size(); i < token.size(); ++i)
		if (!std::isalnum(static_cast<unsigned char>(token[i]))) return false;
	return true;
}

} // namespace Hookgate

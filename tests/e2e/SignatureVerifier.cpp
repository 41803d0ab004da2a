#include "SignatureVerifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sstream>
#include <stdexcept>

namespace Hookgate {
namespace Test {

SignatureVerifier::SignatureVerifier(const std::string& secret)
{
	static const std::string prefix = "whsec_";
	if (secret.compare(0, prefix.size(), prefix) != 0)
		throw std::invalid_argument("secret does not start with whsec_: " + secret);
	_key = base64Decode(secret.substr(prefix.size()));
	if (_key.empty()) throw std::invalid_argument("secret has no base64 key: " + secret);
}

const std::vector<unsigned char>& SignatureVerifier::key() const
{
	return _key;
}

std::string SignatureVerifier::sign(const std::string& webhookId, const std::string& timestamp, const std::string& body) const
{
	const std::string message = webhookId + "." + timestamp + "." + body;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digestSize = 0;
	if (!HMAC(EVP_sha256(), _key.data(), static_cast<int>(_key.size()),
		reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &digestSize))
		throw std::runtime_error("HMAC failed");
	return "v1," + base64Encode(digest, digestSize);
}

bool SignatureVerifier::verify(const std::string& signatureHeader, const std::string& webhookId,
	const std::string& timestamp, const std::string& body) const
{
	const std::string expected = sign(webhookId, timestamp, body);
	std::istringstream entries(signatureHeader);
	std::string entry;
	while (entries >> entry)
	{
		if (entry == expected) return true;
	}
	return false;
}

std::vector<unsigned char> SignatureVerifier::base64Decode(const std::string& text)
{
	if (text.empty() || text.size() % 4 != 0) return {};
	std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
	const int size = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
	if (size < 0) return {};
	// EVP_DecodeBlock counts the bytes the '=' padding stands for.
	std::size_t padding = 0;
	if (text[text.size() - 1] == '=') ++padding;
	if (text[text.size() - 2] == '=') ++padding;
	out.resize(static_cast<std::size_t>(size) - padding);
	return out;
}

std::string SignatureVerifier::base64Encode(const unsigned char* data, std::size_t size)
{
	std::string out(4 * ((size + 2) / 3) + 1, '\0');
	const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]), data, static_cast<int>(size));
	out.resize(static_cast<std::size_t>(written));
	return out;
}

} } // namespace Hookgate::Test

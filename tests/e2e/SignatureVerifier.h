#pragma once

#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// Standard Webhooks signatures computed with OpenSSL directly, independent
/// of the gateway's code: v1,base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
/// where key is the base64-decoded part of the secret after "whsec_".
class SignatureVerifier
{
public:
	explicit SignatureVerifier(const std::string& secret);
		/// Throws std::invalid_argument unless secret is "whsec_" + base64.

	const std::vector<unsigned char>& key() const;

	std::string sign(const std::string& webhookId, const std::string& timestamp, const std::string& body) const;
		/// "v1,<base64>"

	bool verify(const std::string& signatureHeader, const std::string& webhookId,
		const std::string& timestamp, const std::string& body) const;
		/// True when one of the space-separated entries of the header is our "v1," signature.

	static std::vector<unsigned char> base64Decode(const std::string& text);
	static std::string base64Encode(const unsigned char* data, std::size_t size);

private:
	std::vector<unsigned char> _key;
};

} } // namespace Hookgate::Test

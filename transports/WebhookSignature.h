#pragma once

#include <Poco/Types.h>

#include <string>

namespace Hookgate {

/// Standard Webhooks (https://www.standardwebhooks.com) signatures.
///
/// A secret is "whsec_" followed by the base64 encoding of the HMAC key.
/// The signature of a message is
///   v1,<base64 HMAC-SHA256(key, messageId + "." + timestamp + "." + body)>
/// and is sent in the webhook-signature header (several, space separated,
/// while a rotated secret still signs alongside the new one).
class WebhookSignature
{
public:
	static std::string sign(const std::string& secret, const std::string& messageId, Poco::Int64 timestamp, const std::string& body);
		/// Returns "v1,<base64 signature>" for the message.
		/// Throws Poco::InvalidArgumentException if the secret is not "whsec_"
		/// followed by non-empty, well-formed base64.

	static std::string generateSecret();
		/// Returns a new secret: "whsec_" + base64 of 24 bytes from a CSPRNG (OpenSSL RAND_bytes).
		/// Throws Poco::IOException if the random generator fails.

	static std::string decodeSecret(const std::string& secret);
		/// Returns the raw key bytes of a secret.
		/// Throws Poco::InvalidArgumentException on a malformed secret.

	static const std::string SECRET_PREFIX; ///< "whsec_"
	static const std::size_t SECRET_SIZE;   ///< 24 bytes of key in a generated secret
};

} // namespace Hookgate

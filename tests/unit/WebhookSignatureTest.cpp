#include "transports/WebhookSignature.h"

#include <Poco/Exception.h>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using Hookgate::WebhookSignature;

TEST_CASE("Signatures match the published Standard Webhooks test vectors", "[signature]")
{
	CHECK(WebhookSignature::sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
		"{\"test\": 2432232314}") == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	CHECK(WebhookSignature::sign("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553,
		"{\"email\":\"test@example.com\",\"username\":\"test_user\"}") == "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
}

TEST_CASE("A signature changes with the message id, the timestamp, the body and the secret", "[signature]")
{
	const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	const std::string base = WebhookSignature::sign(secret, "msg_1", 1700000000, "{}");
	CHECK(base.compare(0, 3, "v1,") == 0);
	CHECK(base.size() == 3 + 44);  // base64 of 32 bytes, one line
	CHECK(WebhookSignature::sign(secret, "msg_1", 1700000000, "{}") == base);
	CHECK(WebhookSignature::sign(secret, "msg_2", 1700000000, "{}") != base);
	CHECK(WebhookSignature::sign(secret, "msg_1", 1700000001, "{}") != base);
	CHECK(WebhookSignature::sign(secret, "msg_1", 1700000000, "{ }") != base);
	CHECK(WebhookSignature::sign("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_1", 1700000000, "{}") != base);
}

TEST_CASE("A long body is signed without line breaks in the signature", "[signature]")
{
	const std::string body(100000, 'x');
	const std::string signature = WebhookSignature::sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1, body);
	CHECK(signature.find('\n') == std::string::npos);
	CHECK(signature.find('\r') == std::string::npos);
	CHECK(signature.size() == 47);
}

TEST_CASE("A malformed secret is rejected with InvalidArgumentException", "[signature]")
{
	const char* malformed[] = {
		"",                                          // empty
		"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",          // no prefix
		"whsec",                                     // prefix cut short
		"whsec_",                                    // no key
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",     // length not a multiple of 4
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa!w",    // not a base64 character
		"whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw",   // space
		"whsec_MfKQ=r8GKYqrTwjUPD8ILPZIo2LaLaSw",    // padding in the middle
		"whsec_====",                                // only padding
		"WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",    // prefix is case-sensitive
	};
	for (const char* secret: malformed)
	{
		INFO("secret: \"" << secret << "\"");
		CHECK_THROWS_AS(WebhookSignature::sign(secret, "msg_1", 1, "{}"), Poco::InvalidArgumentException);
	}
}

TEST_CASE("Generated secrets are distinct and decode to 24 bytes", "[signature]")
{
	std::set<std::string> secrets;
	for (int i = 0; i < 200; ++i)
	{
		const std::string secret = WebhookSignature::generateSecret();
		REQUIRE(secret.compare(0, 6, "whsec_") == 0);
		CHECK(secret.size() == 6 + 32);  // 24 bytes are 32 base64 characters, no padding
		CHECK(WebhookSignature::decodeSecret(secret).size() == 24);
		CHECK_NOTHROW(WebhookSignature::sign(secret, "msg_1", 1, "{}"));
		secrets.insert(secret);
	}
	CHECK(secrets.size() == 200);
}

TEST_CASE("A secret decodes to its base64 key bytes", "[signature]")
{
	CHECK(WebhookSignature::decodeSecret("whsec_AAECAw==") == std::string("\x00\x01\x02\x03", 4));
	CHECK(WebhookSignature::decodeSecret("whsec_/w==") == std::string("\xff", 1));
}

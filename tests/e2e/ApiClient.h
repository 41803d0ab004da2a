#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {
namespace Test {

/// What the gateway answered.
struct ApiResponse
{
	int status = 0;
	Poco::Net::NameValueCollection headers;
	std::string contentType;
	std::string body;
	Poco::JSON::Object::Ptr json;  ///< the body parsed, when it is a JSON object; else null

	std::string describe() const;
		/// "<status> <content type> <body>" for failure messages (body cut at 3000 bytes).
};

/// A request exactly as a test wants to send it, for the bad-input tests.
struct RawRequest
{
	std::string method = "GET";
	std::string path = "/";
	std::optional<std::string> body;                  ///< sent with Content-Length when set
	std::optional<std::string> contentType;           ///< no Content-Type header when empty
	std::optional<std::string> authorization;         ///< the whole header value; no header when empty
	std::vector<std::pair<std::string, std::string>> headers;
	bool chunked = false;                             ///< send the body with chunked transfer encoding
};

/// HTTP client of the gateway's API on 127.0.0.1. One connection per request,
/// so it survives gateway restarts (setPort() after a restart).
class ApiClient
{
public:
	ApiClient(Poco::UInt16 port, const std::string& adminToken);

	void setPort(Poco::UInt16 port);
	Poco::UInt16 port() const;

	/// token: the bearer token to use; the admin token when not given.
	ApiResponse get(const std::string& path, const std::optional<std::string>& token = std::nullopt) const;
	ApiResponse post(const std::string& path, const std::string& jsonBody, const std::optional<std::string>& token = std::nullopt) const;
	ApiResponse patch(const std::string& path, const std::string& jsonBody, const std::optional<std::string>& token = std::nullopt) const;
	ApiResponse del(const std::string& path, const std::optional<std::string>& token = std::nullopt) const;

	ApiResponse send(const RawRequest& request) const;

	static Poco::JSON::Object::Ptr parseObject(const std::string& text);
		/// The text as a JSON object, null when it is not one.
	static std::string canonical(const Poco::JSON::Object::Ptr& object);
		/// Stable text of an object (keys sorted), to compare two answers.

private:
	RawRequest makeRequest(const std::string& method, const std::string& path,
		const std::optional<std::string>& body, const std::optional<std::string>& token) const;

	Poco::UInt16 _port;
	std::string _adminToken;
};

} } // namespace Hookgate::Test

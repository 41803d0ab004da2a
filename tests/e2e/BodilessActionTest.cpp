// Issue 5: the actions that take no request body (issue a token, rotate a
// secret) as a client like `curl -X POST` sends them: no Content-Length, no
// Transfer-Encoding. By HTTP/1.1 (RFC 9112, 6.3) such a request has no body,
// so the answer must come at once, not after a read timeout.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "GatewayProcess.h"
#include "RawHttp.h"
#include "Receiver.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

using namespace Hookgate::Test;

namespace {

std::string post(const std::string& path, const std::string& token, const std::string& extraHeaders = std::string())
{
	return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n"
		+ extraHeaders + "Connection: close\r\n\r\n";
}

} // namespace

TEST_CASE("Issuing a token and rotating a secret without a request body answer at once", "[e2e]")
{
	Receiver receiver;
	receiver.start();
	GatewayProcess gateway;
	gateway.start();
	ApiClient api(gateway.port(), GatewayProcess::ADMIN_TOKEN);
	Steps::createAccount(api, "acme");
	const Steps::Endpoint endpoint = Steps::createEndpoint(api, "acme", receiver.url("/hook"), {"customer.created"});
	const std::string token = AccountSteps::issueToken(api, "acme");
	const std::string rotate = "/api/v1/accounts/acme/endpoints/" + endpoint.id + "/secret/rotate";
	const Poco::Timespan deadline(5, 0);

	struct Case
	{
		std::string what;
		std::string request;
		int status;
	};
	const std::vector<Case> cases = {
		{"tokens, Content-Length: 0", post("/api/v1/accounts/acme/tokens", GatewayProcess::ADMIN_TOKEN, "Content-Length: 0\r\n"), 201},
		{"tokens, no Content-Length", post("/api/v1/accounts/acme/tokens", GatewayProcess::ADMIN_TOKEN), 201},
		{"rotate, Content-Length: 0", post(rotate, GatewayProcess::ADMIN_TOKEN, "Content-Length: 0\r\n"), 200},
		{"rotate, no Content-Length", post(rotate, GatewayProcess::ADMIN_TOKEN), 200},
		{"rotate with the account token, no Content-Length", post(rotate, token), 200},
		{"rotate, Content-Type JSON but no Content-Length", post(rotate, GatewayProcess::ADMIN_TOKEN, "Content-Type: application/json\r\n"), 200},
	};
	for (const Case& c: cases)
	{
		const RawHttp::Answer answer = RawHttp::exchange(gateway.port(), c.request, deadline);
		INFO(c.what << ": " << answer.seconds << " s\n--- request\n" << c.request << "--- answer\n" << answer.text);
		CHECK(answer.status == c.status);
		CHECK(answer.seconds < 5.0);
	}
}

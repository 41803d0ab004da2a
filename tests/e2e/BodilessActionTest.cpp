// Issue 5: the actions that take no request body (issue a token, rotate a
// secret) as a client like `curl -X POST` sends them: no Content-Length, no
// Transfer-Encoding. By HTTP/1.1 (RFC 9112, 6.3) such a request has no body,
// so the answer must come at once, not after a read timeout.

#include "AccountSteps.h"
#include "ApiClient.h"
#include "GatewayProcess.h"
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

struct RawAnswer
{
	int status = 0;          ///< 0 when no complete answer came before the deadline
	std::string text;        ///< what arrived
	double seconds = 0;
};

/// True when text holds a complete response with a Content-Length body.
bool complete(const std::string& text)
{
	const std::size_t end = text.find("\r\n\r\n");
	if (end == std::string::npos) return false;
	const std::string head = Poco::toLower(text.substr(0, end));
	const std::size_t at = head.find("\r\ncontent-length:");
	if (at == std::string::npos) return false;
	const std::size_t lineEnd = head.find("\r\n", at + 2);
	const std::string value = Poco::trim(head.substr(at + 17, lineEnd == std::string::npos ? std::string::npos : lineEnd - at - 17));
	unsigned length = 0;
	if (!Poco::NumberParser::tryParseUnsigned(value, length)) return false;
	return text.size() >= end + 4 + length;
}

/// Sends the exact request bytes and reads the answer until it is complete,
/// the connection closes or the deadline passes.
RawAnswer exchange(Poco::UInt16 port, const std::string& request, const Poco::Timespan& deadline)
{
	RawAnswer answer;
	Poco::Net::StreamSocket socket;
	socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
	socket.setReceiveTimeout(Poco::Timespan(0, 200000));
	socket.sendBytes(request.data(), static_cast<int>(request.size()));
	const Poco::Timestamp start;
	while (!start.isElapsed(deadline.totalMicroseconds()) && !complete(answer.text))
	{
		char buffer[4096];
		int n = 0;
		try
		{
			n = socket.receiveBytes(buffer, sizeof(buffer));
		}
		catch (const Poco::TimeoutException&)
		{
			continue;
		}
		if (n <= 0) break;
		answer.text.append(buffer, static_cast<std::size_t>(n));
	}
	answer.seconds = static_cast<double>(start.elapsed()) / 1e6;
	if (complete(answer.text) && answer.text.compare(0, 9, "HTTP/1.1 ") == 0)
		Poco::NumberParser::tryParse(answer.text.substr(9, 3), answer.status);
	return answer;
}

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
		const RawAnswer answer = exchange(gateway.port(), c.request, deadline);
		INFO(c.what << ": " << answer.seconds << " s\n--- request\n" << c.request << "--- answer\n" << answer.text);
		CHECK(answer.status == c.status);
		CHECK(answer.seconds < 5.0);
	}
}

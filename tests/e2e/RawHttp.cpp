#include "RawHttp.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

namespace Hookgate {
namespace Test {

std::string RawHttp::Answer::body() const
{
	const std::size_t end = text.find("\r\n\r\n");
	return end == std::string::npos ? std::string() : text.substr(end + 4);
}

bool RawHttp::complete(const std::string& text)
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

RawHttp::Answer RawHttp::exchange(Poco::UInt16 port, const std::string& request, const Poco::Timespan& deadline, bool waitForClose)
{
	Answer answer;
	Poco::Net::StreamSocket socket;
	socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
	socket.setReceiveTimeout(Poco::Timespan(0, 200000));
	try
	{
		std::size_t sent = 0;
		while (sent < request.size())
		{
			const int n = socket.sendBytes(request.data() + sent, static_cast<int>(request.size() - sent));
			if (n <= 0) break;
			sent += static_cast<std::size_t>(n);
		}
	}
	catch (const Poco::Net::NetException&)
	{
		// The server answered early and closed (an oversized head): its answer is still there.
	}
	const Poco::Timestamp start;
	bool eof = false;
	while (!start.isElapsed(deadline.totalMicroseconds()) && !eof && (!complete(answer.text) || waitForClose))
	{
		if (complete(answer.text) && answer.seconds == 0) answer.seconds = static_cast<double>(start.elapsed()) / 1e6;
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
		catch (const Poco::Net::NetException&)
		{
			eof = true;  // reset: closed
			break;
		}
		if (n <= 0)
		{
			eof = true;
			break;
		}
		answer.text.append(buffer, static_cast<std::size_t>(n));
	}
	if (answer.seconds == 0) answer.seconds = static_cast<double>(start.elapsed()) / 1e6;
	answer.closed = eof;
	if (complete(answer.text) && answer.text.compare(0, 9, "HTTP/1.1 ") == 0)
		Poco::NumberParser::tryParse(answer.text.substr(9, 3), answer.status);
	return answer;
}

} } // namespace Hookgate::Test

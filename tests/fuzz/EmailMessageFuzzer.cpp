// Building an email: input = from NUL to NUL subject NUL text NUL attachment name NUL header
// value NUL body. A message is built or refused with InvalidArgumentException; a built one has
// CRLF line ends only and no line over 998 characters.
#include "FuzzInput.h"
#include "transports/EmailMessage.h"

#include <Poco/Exception.h>

#include <cstdlib>

using namespace Hookgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const auto input = Fuzz::parts(data, size, 7);
	DeliveryRequest request;
	request.target = input[1];
	request.subject = input[2];
	request.text = input[3];
	request.attachmentName = input[4];
	request.headers = {{"X-Webhook-Id", input[5]}};
	request.body = input[6];
	try
	{
		const EmailMessage message(input[0], request.target, request, "hookgate.local", Poco::Timestamp(0));
		const std::string& bytes = message.bytes();
		std::size_t lineStart = 0;
		for (std::size_t i = 0; i < bytes.size(); ++i)
		{
			if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) std::abort();
			if (bytes[i] == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n')) std::abort();
			if (bytes[i] == '\n')
			{
				if (i - 1 - lineStart > 998) std::abort();
				lineStart = i + 1;
			}
		}
		if (bytes.size() < 2 || bytes.compare(bytes.size() - 2, 2, "\r\n") != 0) std::abort();
	}
	catch (const Poco::InvalidArgumentException&)
	{
	}
	return 0;
}

#pragma once

#include <Poco/Timespan.h>
#include <Poco/Types.h>

#include <string>

namespace Hookgate {
namespace Test {

/// Exact request bytes on a socket of their own, for what an HTTP client library would not
/// send (malformed framing, oversized heads, a request with no body at all).
class RawHttp
{
public:
	struct Answer
	{
		int status = 0;        ///< 0 when no complete answer came before the deadline
		std::string text;      ///< what arrived (head and body)
		double seconds = 0;    ///< until the answer was complete
		bool closed = false;   ///< the server closed the connection after its answer (see exchange())

		/// The body after the head ("" when there is none).
		std::string body() const;
	};

	/// Sends `request` to 127.0.0.1:port and reads until the answer (with a Content-Length
	/// body) is complete, the connection closes or the deadline passes. With `waitForClose`,
	/// it then goes on reading until the server closes the connection (closed = true) or the
	/// deadline passes. A send that fails because the server already answered and closed is
	/// not an error: the answer is read all the same.
	static Answer exchange(Poco::UInt16 port, const std::string& request, const Poco::Timespan& deadline,
		bool waitForClose = false);

	/// True when text holds a complete response with a Content-Length body.
	static bool complete(const std::string& text);
};

} } // namespace Hookgate::Test

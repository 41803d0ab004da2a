#pragma once

#include <Poco/Timespan.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {

/// One attempt to hand a payload to a destination. The gateway fills it in;
/// a transport reads only what its channel needs.
struct DeliveryRequest
{
	std::string target;                                        ///< URL (HTTP) or mailbox address (email)
	std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers, in order (signature, auth header, ...)
	std::string body;                                          ///< the stored payload bytes, sent unchanged
	std::string contentType = "application/json";
	Poco::Timespan timeout = Poco::Timespan(15, 0);            ///< connect + response

	// Email only: the body is attached as a file; these make up the rest of the message.
	std::string subject;         ///< UTF-8; encoded by the transport when not ASCII (RFC 2047)
	std::string text;            ///< the short text part, UTF-8
	std::string attachmentName;  ///< e.g. appointment.booking.created_dlv_123.json
};

/// What became of one attempt. Outcomes, not exceptions, cross the transport boundary.
struct DeliveryOutcome
{
	enum class Kind
	{
		Succeeded,  ///< accepted by the destination (HTTP 2xx, SMTP 250)
		Transient,  ///< try again later (5xx, 429, timeouts, refused connections, ...)
		Permanent   ///< never retry (policy refusal, SMTP 5xx, ...)
	};

	Kind kind = Kind::Transient;
	int responseCode = 0;                      ///< HTTP status / SMTP reply code; 0 when there was no reply
	std::string error;                         ///< empty on success; otherwise for an administrator
	std::string responseBody;                  ///< at most 4 KiB of what the destination answered
	Poco::Timespan duration;                   ///< wall time of the attempt
	std::optional<Poco::Timespan> retryAfter;  ///< the destination's Retry-After, when it sent one

	bool succeeded() const { return kind == Kind::Succeeded; }
};

/// A delivery channel. Implementations are thread-safe: several workers call deliver() at once.
class Transport
{
public:
	virtual ~Transport() = default;
	virtual DeliveryOutcome deliver(const DeliveryRequest& request) = 0;

	/// Ends the attempts in flight now, from another thread: their deliver() returns soon, with
	/// a transient outcome. For a stop that cannot wait for a destination that does not answer.
	/// A transport that cannot abort does nothing.
	virtual void abortAll() {}
};

} // namespace Hookgate

#pragma once

#include "transports/Transport.h"

#include <Poco/Timestamp.h>

#include <cstddef>
#include <memory>
#include <string>

namespace Hookgate {

/// The RFC 5322 / MIME bytes of one email that carries a payload as a JSON file.
///
///   From: <from>                        (an address, or "Display Name <address>")
///   To: <to>                            (one address)
///   Subject: <request.subject>          (RFC 2047 encoded-words when not plain ASCII; folded)
///   Date: <date, RFC 5322, +0000>
///   Message-ID: <hookgate.<random UUID>@<domain>>   (unique per message)
///   MIME-Version: 1.0
///   <request.headers, in order>         (X-Webhook-Id, ...)
///   Content-Type: multipart/mixed; boundary="=_hookgate_<random>"
///
///   part 1: text/plain; charset=utf-8, quoted-printable: request.text
///   part 2: <request.contentType>; name="<attachment name>", base64,
///           Content-Disposition: attachment; filename="<attachment name>"
///           whose decoded bytes are exactly request.body.
///
/// Every line ends with CRLF and no line is longer than 998 characters (header
/// lines are folded at 78 where there is whitespace to fold at). The attachment
/// name defaults to DEFAULT_ATTACHMENT_NAME; a non-ASCII one is sent as an
/// RFC 2231 parameter (filename*=utf-8''...).
class EmailMessage
{
public:
	EmailMessage(const std::string& from, const std::string& to, const DeliveryRequest& request,
		const std::string& messageIdDomain = std::string(), const Poco::Timestamp& date = Poco::Timestamp());
		/// Builds the message. An empty messageIdDomain means domainOf(from).
		/// Throws Poco::InvalidArgumentException, whose message() is written for an
		/// administrator, when the message cannot be built:
		///   invalid sender address "<from>": <reason>
		///   invalid recipient address "<to>": <reason>
		///   invalid subject: contains CR, LF or NUL
		///   invalid attachment name "<name>": <reason>
		///   invalid header name "<name>"
		///   invalid value for header <name>: contains CR, LF or NUL
		///   header <name> is set by the transport and cannot be overridden
		///   invalid content type "<type>"         (not type/subtype[; parameters], or over 200 characters)
		/// Invalid UTF-8 in the subject or text is replaced by U+FFFD.

	static std::unique_ptr<EmailMessage> create(const std::string& from, const DeliveryRequest& request, DeliveryOutcome& outcome);
		/// For the email transports: the message from from to request.target, or
		/// null when it cannot be built; then outcome.kind is Permanent and
		/// outcome.error the exception's message() (see above).

	const std::string& bytes() const;
		/// The complete message, CRLF line endings, ending with CRLF.

	const std::string& messageId() const;
		/// The Message-ID header value, with angle brackets.

	const std::string& senderAddress() const;
		/// The address part of from (for MAIL FROM).

	const std::string& recipientAddress() const;
		/// The address of to (for RCPT TO).

	static std::string checkSender(const std::string& from);
		/// Returns an empty string if from is usable as the sender: an address or
		/// "Display Name <address>" (the name may be quoted and non-ASCII),
		/// otherwise the reason it is not.

	static std::string domainOf(const std::string& from);
		/// The Message-ID domain for a sender ("Name <a@b>" or "a@b"): the part
		/// after the @ when it is a valid domain name, otherwise DEFAULT_DOMAIN.

	static std::string encodeHeader(const std::string& name, const std::string& value);
		/// Returns "Name: value" as header line(s), folded, with RFC 2047
		/// encoded-words (UTF-8, Q) when value is not printable ASCII or a line
		/// could not be folded to 998 characters; without the final CRLF.
		/// value must not contain CR or LF.

	static const std::string DEFAULT_DOMAIN;           ///< hookgate.local
	static const std::string DEFAULT_ATTACHMENT_NAME;  ///< payload.json
	static const std::size_t MAX_ATTACHMENT_NAME;      ///< 255 bytes

private:
	std::string _bytes;
	std::string _messageId;
	std::string _senderAddress;
	std::string _recipientAddress;
};

inline const std::string& EmailMessage::bytes() const
{
	return _bytes;
}

inline const std::string& EmailMessage::messageId() const
{
	return _messageId;
}

inline const std::string& EmailMessage::senderAddress() const
{
	return _senderAddress;
}

inline const std::string& EmailMessage::recipientAddress() const
{
	return _recipientAddress;
}

} // namespace Hookgate

#pragma once

#include "transports/GuardedTransport.h"

#include <Poco/Timestamp.h>

#include <mutex>
#include <string>

namespace Hookgate {

/// Delivers a payload by writing the email (see EmailMessage) as an .eml file
/// into a pickup directory, for hosts without a mail server.
///
/// - The directory is created when missing (also when removed while running).
/// - Each message is written to a temporary file in the directory
///   (".tmp-<name>"), flushed to disk (fsync), then renamed to its final name,
///   so a reader never sees a partial .eml file:
///     <UTC yyyymmddTHHMMSS.ffffffZ>-<8 random hex digits>.eml
///   The time part is strictly increasing per transport, so the names sort in
///   delivery order; the random part keeps processes apart.
/// - Success is Succeeded with responseCode 0 and the file name as responseBody.
///   An I/O error is Transient (error "cannot ... <path>: <reason>"), leaving
///   no temporary file behind; an invalid message (address, header) is Permanent.
/// deliver() is thread-safe and never throws.
class PickupTransport: public GuardedTransport
{
public:
	struct Options
	{
		std::string directory;                    ///< where the .eml files go
		std::string from = "hookgate@localhost";  ///< "address" or "Display Name <address>"
	};

	explicit PickupTransport(const Options& options);
		/// Throws Poco::InvalidArgumentException for an empty directory or an invalid from address.

	const Options& options() const;

	static const std::string EXTENSION;   ///< ".eml"
	static const std::string TEMP_PREFIX; ///< ".tmp-"

private:
	void deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome) override;
	std::string nextName();

	Options _options;
	std::mutex _mutex;
	Poco::Timestamp::TimeVal _lastTime = 0;
};

inline const PickupTransport::Options& PickupTransport::options() const
{
	return _options;
}

} // namespace Hookgate

#pragma once

#include "gateway/core/Metrics.h"
#include "gateway/api/LogThrottle.h"

#include <Poco/Logger.h>
#include <Poco/Net/TCPServer.h>

#include <map>
#include <mutex>
#include <string>

namespace Hookgate {

/// Caps the API port's connections, in all and per client address, and refuses the rest
/// cheaply: in the thread that accepts, before a request thread is taken (the connection is
/// closed at once). So a client that opens hundreds of idle or trickling connections holds at
/// most its own share of the request threads. A refusal is logged, at most a line a second.
class ConnectionLimiter : public Poco::Net::TCPServerConnectionFilter
{
public:
	ConnectionLimiter(int maxConnections, int maxPerClient, Metrics& metrics, Poco::Logger& logger);

	bool accept(const Poco::Net::StreamSocket& socket) override;

	/// A connection `accept` let in has ended (called once for each, by its connection).
	void connectionEnded(const Poco::Net::StreamSocket& socket);

private:
	const int _maxConnections;
	const int _maxPerClient;
	Metrics& _metrics;
	Poco::Logger& _logger;
	LogThrottle _throttle;
	std::mutex _mutex;
	int _open = 0;
	std::map<std::string, int> _perClient;        ///< open connections per client address
	std::map<poco_socket_t, std::string> _clientOf;  ///< by socket descriptor
};

} // namespace Hookgate

#include "gateway/api/ConnectionLimiter.h"

namespace Hookgate {

ConnectionLimiter::ConnectionLimiter(int maxConnections, int maxPerClient, Metrics& metrics, Poco::Logger& logger):
	_maxConnections(maxConnections),
	_maxPerClient(maxPerClient),
	_metrics(metrics),
	_logger(logger)
{
}

bool ConnectionLimiter::accept(const Poco::Net::StreamSocket& socket)
{
	std::string client;
	try
	{
		client = socket.peerAddress().host().toString();
	}
	catch (...)
	{
		return false;  // gone before it was accepted
	}
	std::string reason;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		int& mine = _perClient[client];
		if (_open >= _maxConnections)
			reason = std::to_string(_open) + " connections are open, hookgate.http.maxConnections is " + std::to_string(_maxConnections);
		else if (mine >= _maxPerClient)
			reason = "it has " + std::to_string(mine) + " connections open, hookgate.http.maxConnectionsPerClient is " +
				std::to_string(_maxPerClient);
		if (reason.empty())
		{
			++mine;
			++_open;
			_clientOf[socket.impl()->sockfd()] = client;
			_metrics.connectionOpened();
			return true;
		}
		if (mine == 0) _perClient.erase(client);
	}
	_metrics.connectionRefused();
	int skipped = 0;
	if (_throttle.allow(skipped))
		_logger.warning("refused a connection from %s: %s%s", client, reason,
			skipped > 0 ? " (and " + std::to_string(skipped) + " more refusals since the last line)" : std::string());
	return false;
}

void ConnectionLimiter::connectionEnded(const Poco::Net::StreamSocket& socket)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _clientOf.find(socket.impl()->sockfd());
	if (it == _clientOf.end()) return;
	const auto client = _perClient.find(it->second);
	if (client != _perClient.end() && --client->second <= 0) _perClient.erase(client);
	_clientOf.erase(it);
	--_open;
	_metrics.connectionClosed();
}

} // namespace Hookgate

#include "SilentServer.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberFormatter.h>

namespace Hookgate {
namespace Test {

SilentServer::SilentServer(): _socket(Poco::Net::SocketAddress("127.0.0.1", 0), 1024)
{
	_thread = std::thread([this] { run(); });
}

SilentServer::~SilentServer()
{
	stop();
}

std::string SilentServer::url(const std::string& path) const
{
	return "http://127.0.0.1:" + Poco::NumberFormatter::format(_socket.address().port()) + path;
}

void SilentServer::run()
{
	while (!_stopping)
	{
		try
		{
			if (!_socket.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
			Poco::Net::StreamSocket connection = _socket.acceptConnection();
			std::lock_guard<std::mutex> lock(_mutex);
			_connections.push_back(connection);
			++_accepted;
		}
		catch (const Poco::Exception&)
		{
			// a connection reset before it was accepted: nothing to keep
		}
	}
}

std::size_t SilentServer::accepted() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _accepted;
}

std::size_t SilentServer::open() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::size_t n = 0;
	for (auto& c : _connections)
	{
		try
		{
			// Readable with nothing to read: the peer closed it. (What the peer sent, the request,
			// is read and dropped.)
			char buffer[4096];
			bool closed = false;
			while (c.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ))
			{
				if (c.receiveBytes(buffer, sizeof(buffer)) <= 0)
				{
					closed = true;
					break;
				}
			}
			if (!closed) ++n;
		}
		catch (const Poco::Exception&)
		{
			// reset by the peer: closed
		}
	}
	return n;
}

void SilentServer::stop()
{
	if (_stopping.exchange(true)) return;
	if (_thread.joinable()) _thread.join();
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto& c : _connections)
	{
		try { c.close(); } catch (const Poco::Exception&) {}
	}
	_socket.close();
}

} } // namespace Hookgate::Test

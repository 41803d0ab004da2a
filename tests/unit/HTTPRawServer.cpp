#include "HTTPRawServer.h"

#include <Poco/Exception.h>
#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace Hookgate {
namespace Test {

HTTPRawServer::HTTPRawServer(Script script):
	_socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16)
{
	_thread = std::thread([this, script]()
	{
		try
		{
			script(*this);
		}
		catch (Poco::Exception& exc)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_error = exc.displayText();
		}
		catch (std::exception& exc)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_error = exc.what();
		}
	});
}

HTTPRawServer::~HTTPRawServer()
{
	join();
	_socket.close();
}

Poco::UInt16 HTTPRawServer::port() const
{
	return _socket.address().port();
}

std::string HTTPRawServer::url(const std::string& path) const
{
	return "http://127.0.0.1:" + Poco::NumberFormatter::format(port()) + path;
}

Poco::Net::StreamSocket HTTPRawServer::accept(Poco::Timespan deadline)
{
	if (!_socket.poll(deadline, Poco::Net::Socket::SELECT_READ))
		throw Poco::TimeoutException("no connection arrived");
	return _socket.acceptConnection();
}

std::string HTTPRawServer::readRequest(Poco::Net::StreamSocket& socket, Poco::Timespan deadline)
{
	socket.setReceiveTimeout(deadline);
	std::string data;
	char buffer[4096];
	std::size_t headerEnd = std::string::npos;
	while (headerEnd == std::string::npos)
	{
		const int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0)
		{
			if (data.empty())
				return std::string();
			throw Poco::IOException("connection closed in the middle of a request");
		}
		data.append(buffer, static_cast<std::size_t>(n));
		headerEnd = data.find("\r\n\r\n");
	}
	std::size_t length = 0;
	const std::string lower = Poco::toLower(data.substr(0, headerEnd));
	const std::size_t pos = lower.find("\r\ncontent-length:");
	if (pos != std::string::npos)
	{
		const std::size_t start = pos + 17;
		const std::size_t end = lower.find("\r\n", start);
		length = Poco::NumberParser::parseUnsigned(Poco::trim(lower.substr(start, end - start)));
	}
	while (data.size() < headerEnd + 4 + length)
	{
		const int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0)
			throw Poco::IOException("connection closed in the middle of a request body");
		data.append(buffer, static_cast<std::size_t>(n));
	}
	return data;
}

void HTTPRawServer::send(Poco::Net::StreamSocket& socket, const std::string& bytes)
{
	socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

void HTTPRawServer::join()
{
	if (_thread.joinable())
		_thread.join();
}

std::string HTTPRawServer::error() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _error;
}

} // namespace Test
} // namespace Hookgate

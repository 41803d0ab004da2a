#include "SMTPFakeServer.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <chrono>

namespace Hookgate {
namespace Test {

namespace {

const Poco::Timespan POLL_INTERVAL(0, 50 * 1000);

} // namespace

SMTPFakeServer::SMTPFakeServer(const Script& script):
	_script(script),
	_socket(Poco::Net::SocketAddress("127.0.0.1", 0))
{
	_acceptor = std::thread([this]() { acceptLoop(); });
}

SMTPFakeServer::~SMTPFakeServer()
{
	_stopping = true;
	_acceptor.join();
	std::vector<std::unique_ptr<Connection>> connections;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		connections.swap(_connections);
	}
	for (auto& connection: connections)
	{
		try
		{
			connection->socket.shutdown();
		}
		catch (...)
		{
		}
		connection->thread.join();
	}
	_socket.close();
}

Poco::UInt16 SMTPFakeServer::port() const
{
	return _socket.address().port();
}

int SMTPFakeServer::connections() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return static_cast<int>(_connections.size());
}

int SMTPFakeServer::openConnections() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	int open = 0;
	for (const auto& connection: _connections)
	{
		if (!connection->done)
			++open;
	}
	return open;
}

std::size_t SMTPFakeServer::messages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _messages;
}

std::vector<std::string> SMTPFakeServer::commands() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _commands;
}

bool SMTPFakeServer::closeConnections(const std::string& goodbye, Poco::Timespan deadline)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (auto& connection: _connections)
		{
			if (connection->done)
				continue;
			try
			{
				if (!goodbye.empty())
					send(connection->socket, goodbye + "\r\n");
				connection->socket.shutdown();  // the connection's thread sees the end and closes it
			}
			catch (Poco::Exception&)
			{
			}
		}
	}
	const Poco::Timestamp start;
	while (openConnections() > 0)
	{
		if (start.elapsed() > deadline.totalMicroseconds())
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling interval
	}
	return true;
}

void SMTPFakeServer::acceptLoop()
{
	while (!_stopping)
	{
		try
		{
			if (!_socket.poll(POLL_INTERVAL, Poco::Net::Socket::SELECT_READ))
				continue;
			auto connection = std::make_unique<Connection>();
			connection->socket = _socket.acceptConnection();
			Connection& c = *connection;
			std::lock_guard<std::mutex> lock(_mutex);
			_connections.push_back(std::move(connection));
			c.thread = std::thread([this, &c]() { serve(c); });
		}
		catch (Poco::Exception&)
		{
		}
	}
}

void SMTPFakeServer::serve(Connection& connection)
{
	Poco::Net::StreamSocket& socket = connection.socket;
	std::string buffer;
	try
	{
		if (_script.greet)
			send(socket, _script.greeting + "\r\n");
		std::string line;
		while (readLine(socket, buffer, line))
		{
			{
				std::lock_guard<std::mutex> lock(_mutex);
				_commands.push_back(line);
			}
			const std::string verb = Poco::toUpper(line.substr(0, line.find(' ')));
			if (verb == "EHLO" || verb == "HELO")
			{
				if (!_script.ehloThenClose.empty())
				{
					send(socket, _script.ehloThenClose);
					break;
				}
				for (const std::string& reply: _script.ehlo)
					send(socket, reply + "\r\n");
			}
			else if (verb == "MAIL" || verb == "RCPT" || verb == "NOOP")
				send(socket, "250 2.0.0 OK\r\n");
			else if (verb == "RSET")
			{
				send(socket, _script.rsetReply + "\r\n");
				if (_script.rsetReply.compare(0, 3, "421") == 0)
					break;
			}
			else if (verb == "DATA")
			{
				send(socket, "354 go ahead\r\n");
				std::string dataLine;
				bool complete = false;
				while (readLine(socket, buffer, dataLine))
				{
					if (dataLine == ".")
					{
						complete = true;
						break;
					}
				}
				if (!complete)
					break;
				{
					std::lock_guard<std::mutex> lock(_mutex);
					++_messages;
				}
				send(socket, "250 2.0.0 OK queued\r\n");
			}
			else if (verb == "QUIT")
			{
				send(socket, "221 2.0.0 bye\r\n");
				break;
			}
			else
				send(socket, "500 5.5.1 command not recognized\r\n");
		}
	}
	catch (Poco::Exception&)
	{
	}
	try
	{
		socket.close();
	}
	catch (Poco::Exception&)
	{
	}
	connection.done = true;
}

bool SMTPFakeServer::readLine(Poco::Net::StreamSocket& socket, std::string& buffer, std::string& line)
{
	for (;;)
	{
		const std::size_t eol = buffer.find("\r\n");
		if (eol != std::string::npos)
		{
			line = buffer.substr(0, eol);
			buffer.erase(0, eol + 2);
			return true;
		}
		if (_stopping)
			return false;
		if (!socket.poll(POLL_INTERVAL, Poco::Net::Socket::SELECT_READ))
			continue;
		char chunk[4096];
		const int n = socket.receiveBytes(chunk, sizeof(chunk));
		if (n <= 0)
			return false;
		buffer.append(chunk, static_cast<std::size_t>(n));
	}
}

void SMTPFakeServer::send(Poco::Net::StreamSocket& socket, const std::string& bytes)
{
	socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

} // namespace Test
} // namespace Hookgate

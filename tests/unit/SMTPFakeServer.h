#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Hookgate {
namespace Test {

/// A scripted SMTP server on 127.0.0.1, port 0, written with raw Poco sockets,
/// for behaviour a real server will not produce on demand: closing idle
/// connections, refusing RSET, never greeting, breaking off a reply.
/// One thread per connection; every blocking call has a deadline.
class SMTPFakeServer
{
public:
	struct Script
	{
		bool greet = true;                      ///< false: accept, then say nothing
		std::string greeting = "220 fake.test ESMTP";
		std::vector<std::string> ehlo = {"250-fake.test", "250-SIZE 10000000", "250 8BITMIME"};
		std::string ehloThenClose;              ///< when set: sent as the EHLO reply (raw bytes), then the connection is closed
		std::string rsetReply = "250 2.0.0 OK"; ///< a reply starting with 421 also closes the connection
	};

	explicit SMTPFakeServer(const Script& script);
	~SMTPFakeServer();  ///< closes every connection and joins the threads

	Poco::UInt16 port() const;

	int connections() const;              ///< accepted so far
	int openConnections() const;          ///< not closed yet
	std::size_t messages() const;         ///< messages accepted with 250 after DATA
	std::vector<std::string> commands() const;  ///< every command line received, in order

	bool closeConnections(const std::string& goodbye, Poco::Timespan deadline);
		/// Closes every open connection from the server side, as a server does with
		/// idle ones, after sending goodbye (e.g. "421 4.4.2 idle timeout") unless it
		/// is empty. Returns true once all are closed, false at the deadline.

private:
	struct Connection
	{
		Poco::Net::StreamSocket socket;
		std::thread thread;
		std::atomic<bool> done{false};
	};

	void acceptLoop();
	void serve(Connection& connection);
	bool readLine(Poco::Net::StreamSocket& socket, std::string& buffer, std::string& line);
	void send(Poco::Net::StreamSocket& socket, const std::string& bytes);

	Script _script;
	Poco::Net::ServerSocket _socket;
	std::atomic<bool> _stopping{false};
	std::thread _acceptor;
	mutable std::mutex _mutex;
	std::vector<std::unique_ptr<Connection>> _connections;
	std::vector<std::string> _commands;
	std::size_t _messages = 0;
};

} // namespace Test
} // namespace Hookgate

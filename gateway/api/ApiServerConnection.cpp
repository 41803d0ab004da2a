#include "gateway/api/ApiServerConnection.h"
#include "gateway/core/Duration.h"
#include "gateway/api/ApiError.h"
#include "gateway/api/ApiExchange.h"
#include "gateway/api/RequestFraming.h"

#include <Poco/Delegate.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <memory>

namespace Hookgate {

ApiServerConnection::ApiServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
	Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ApiConnectionShared::Ptr shared):
	Poco::Net::TCPServerConnection(socket),
	_params(params),
	_factory(factory),
	_shared(shared)
{
	_shared->stopped += Poco::delegate(this, &ApiServerConnection::onServerStopped);
}

ApiServerConnection::~ApiServerConnection()
{
	try
	{
		_shared->stopped -= Poco::delegate(this, &ApiServerConnection::onServerStopped);
	}
	catch (...)
	{
	}
}

void ApiServerConnection::run()
{
	const std::string server = _params->getSoftwareVersion();
	const ApiConnectionShared::Limits& limits = _shared->limits;
	Poco::Net::HTTPServerSession session(socket(), _params);
	// The limiter counts it until here: before the session's destructor closes the socket, whose
	// descriptor the limiter knows it by (a new connection may get it right after).
	struct Counted
	{
		ConnectionLimiter& limiter;
		const Poco::Net::StreamSocket& socket;
		~Counted() { limiter.connectionEnded(socket); }
	} counted{*_shared->limiter, socket()};
	bool first = true;
	while (!_stopped)
	{
		// The first head is due within headerTimeout of the connection's start; a later one
		// within headerTimeout of its first byte (the idle wait before it has keepAliveTimeout).
		std::atomic<bool> headExpired{false};
		std::unique_ptr<ConnectionWatchdog::Deadline> headDeadline;
		if (first)
			headDeadline = std::make_unique<ConnectionWatchdog::Deadline>(_shared->watchdog, socket(), limits.headerTimeout, headExpired);
		first = false;
		if (!session.hasMoreRequests()) break;
		try
		{
			if (_stopped) break;
			Poco::Net::HTTPServerResponseImpl response(session);
			std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request;
			try
			{
				if (!headDeadline)
					headDeadline = std::make_unique<ConnectionWatchdog::Deadline>(_shared->watchdog, socket(), limits.headerTimeout, headExpired);
				request = std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, _params.get());
				headDeadline.reset();
			}
			catch (const Poco::Exception& e)
			{
				if (headExpired)
					refuseLateHead(session);
				else if (dynamic_cast<const Poco::Net::NoMessageException*>(&e))
				{
					// closed between two requests
				}
				else if (dynamic_cast<const Poco::Net::MessageException*>(&e) || dynamic_cast<const Poco::SyntaxException*>(&e))
				{
					refuse(session, RequestFraming::refusal(e));
				}
				break;  // a network error: the client is gone
			}
			if (headExpired)
			{
				// Poco takes the end of input after the shutdown for the end of the head: what
				// it read is cut short, not a request.
				refuseLateHead(session);
				break;
			}
			if (auto error = RequestFraming::check(*request))
			{
				refuse(session, *error);
				break;
			}

			response.setDate(Poco::Timestamp());
			response.setVersion(request->getVersion());
			response.setKeepAlive(_params->getKeepAlive() && request->getKeepAlive() && session.canKeepAlive());
			if (!server.empty()) response.set("Server", server);
			std::atomic<bool> bodyExpired{false};
			_handling = true;
			struct Handled
			{
				std::atomic<bool>& flag;
				~Handled() { flag = false; }
			} handled{_handling};
			try
			{
				// The handler reads the body: all of it must have come by then.
				ConnectionWatchdog::Deadline deadline(_shared->watchdog, socket(), limits.bodyTimeout, bodyExpired);
				std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(_factory->createRequestHandler(*request));
				if (request->getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
					response.sendContinue();
				handler->handleRequest(*request, response);
				session.setKeepAlive(_params->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
			}
			catch (const Poco::Exception&)
			{
				// Handlers answer their own failures; this is the socket failing under them.
				if (!response.sent() && !bodyExpired)
				{
					try
					{
						refuse(session, ApiError(500, "internal_error", "internal error; see the gateway's log"));
					}
					catch (...)
					{
					}
				}
				if (!bodyExpired) throw;
			}
			if (bodyExpired)
			{
				// Its reading side is shut: whatever the handler answered, the connection ends.
				_shared->metrics.connectionTimedOut();
				note("cut off: the request body was not complete within hookgate.http.bodyTimeout (" + Duration::format(limits.bodyTimeout) + ")");
				break;
			}
		}
		catch (const Poco::Net::NoMessageException&)
		{
			break;
		}
		catch (const Poco::Net::MessageException& e)
		{
			// A chunked body that breaks its framing half-way: its handler did not answer.
			refuse(session, RequestFraming::refusal(e));
			break;
		}
	}
}

void ApiServerConnection::refuseLateHead(Poco::Net::HTTPServerSession& session)
{
	_shared->metrics.connectionTimedOut();
	refuse(session, ApiError(408, "request_timeout",
		"the request header was not complete within hookgate.http.headerTimeout (" + Duration::format(_shared->limits.headerTimeout) + ")"));
}

void ApiServerConnection::note(const std::string& what)
{
	int skipped = 0;
	if (!_shared->refusals.allow(skipped)) return;
	std::string client;
	try
	{
		client = socket().peerAddress().toString();
	}
	catch (...)
	{
		client = "?";
	}
	_shared->logger.notice("client %s: %s%s", client, what,
		skipped > 0 ? " (and " + std::to_string(skipped) + " more such lines held back since the last one)" : std::string());
}

void ApiServerConnection::refuse(Poco::Net::HTTPServerSession& session, const ApiError& error)
{
	note("refused a request: " + std::to_string(error.status()) + " " + error.code() + ": " + error.message());
	const std::string body = ApiExchange::errorJson(error);
	{
		Poco::Net::HTTPServerResponseImpl response(session);
		response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
		response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(error.status()));
		response.setContentType("application/json; charset=utf-8");
		response.setContentLength(static_cast<std::streamsize>(body.size()));
		response.setKeepAlive(false);
		response.setDate(Poco::Timestamp());
		const std::string server = _params->getSoftwareVersion();
		if (!server.empty()) response.set("Server", server);
		std::ostream& out = response.send();
		out << body;
		out.flush();  // before the shutdown below (the stream flushes only when the response goes)
	}
	session.setKeepAlive(false);
	try
	{
		// The client may still be sending (a long header line): read a little of it, briefly,
		// before the close, or the kernel resets the connection and the answer is lost. Bounded
		// in bytes and in time as a whole: a client trickling bytes must not hold the thread.
		socket().shutdownSend();
		const Poco::Timestamp start;
		const Poco::Timespan drainFor(0, 500000);
		char buffer[4096];
		std::size_t total = 0;
		while (total < 256 * 1024 && !start.isElapsed(drainFor.totalMicroseconds()))
		{
			socket().setReceiveTimeout(drainFor - Poco::Timespan(start.elapsed()));
			const int n = socket().receiveBytes(buffer, sizeof buffer);
			if (n <= 0) break;
			total += static_cast<std::size_t>(n);
		}
	}
	catch (...)
	{
	}
}

void ApiServerConnection::onServerStopped(const bool& abortCurrent)
{
	_stopped = true;
	try
	{
		// Idle between requests or waiting for a head: nothing to finish. Else the request in
		// progress is answered, then the loop ends (ApiServer::stopAll() waits for that, and
		// aborts it after its grace).
		if (abortCurrent || !_handling) socket().shutdown();
	}
	catch (...)
	{
	}
}

} // namespace Hookgate

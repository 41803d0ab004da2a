#include "gateway/api/ApiServerConnection.h"
#include "gateway/api/ApiError.h"
#include "gateway/api/ApiExchange.h"
#include "gateway/api/RequestFraming.h"

#include <Poco/Delegate.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <memory>

namespace Hookgate {

namespace {

// One refusal line a second for the whole server: a client that sends garbage in a loop must
// not fill the disk.
std::atomic<Poco::Timestamp::TimeVal> lastRefusalLogged{0};
std::atomic<int> refusalsNotLogged{0};

} // namespace

ApiServerConnection::ApiServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
	Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ApiServerStop::Ptr stop, Poco::Logger& logger):
	Poco::Net::TCPServerConnection(socket),
	_params(params),
	_factory(factory),
	_stop(stop),
	_logger(logger)
{
	_stop->event += Poco::delegate(this, &ApiServerConnection::onServerStopped);
}

ApiServerConnection::~ApiServerConnection()
{
	try
	{
		_stop->event -= Poco::delegate(this, &ApiServerConnection::onServerStopped);
	}
	catch (...)
	{
	}
}

void ApiServerConnection::run()
{
	const std::string server = _params->getSoftwareVersion();
	Poco::Net::HTTPServerSession session(socket(), _params);
	while (!_stopped && session.hasMoreRequests())
	{
		try
		{
			Poco::FastMutex::ScopedLock lock(_mutex);
			if (_stopped) break;
			Poco::Net::HTTPServerResponseImpl response(session);
			std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request;
			try
			{
				request = std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, _params.get());
			}
			catch (const Poco::Net::NoMessageException&)
			{
				break;  // closed between two requests
			}
			catch (const Poco::Net::MessageException& e)
			{
				refuse(session, RequestFraming::refusal(e));
				break;
			}
			catch (const Poco::SyntaxException& e)
			{
				refuse(session, RequestFraming::refusal(e));
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
			try
			{
				std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(_factory->createRequestHandler(*request));
				if (request->getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
					response.sendContinue();
				handler->handleRequest(*request, response);
				session.setKeepAlive(_params->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
			}
			catch (const Poco::Exception&)
			{
				// Handlers answer their own failures; this is the socket failing under them.
				if (!response.sent())
				{
					try
					{
						refuse(session, ApiError(500, "internal_error", "internal error; see the gateway's log"));
					}
					catch (...)
					{
					}
				}
				throw;
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

void ApiServerConnection::refuse(Poco::Net::HTTPServerSession& session, const ApiError& error)
{
	const Poco::Timestamp::TimeVal now = Poco::Timestamp().epochMicroseconds();
	Poco::Timestamp::TimeVal last = lastRefusalLogged.load();
	if (now - last >= 1000000 && lastRefusalLogged.compare_exchange_strong(last, now))
	{
		const int skipped = refusalsNotLogged.exchange(0);
		std::string client;
		try
		{
			client = socket().peerAddress().toString();
		}
		catch (...)
		{
			client = "?";
		}
		_logger.notice("refused a request from %s: %d %s: %s%s", client, error.status(), error.code(), error.message(),
			skipped > 0 ? " (and " + std::to_string(skipped) + " more refusals in the last second(s), not logged)" : std::string());
	}
	else
	{
		++refusalsNotLogged;
	}

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
		// before the close, or the kernel resets the connection and the answer is lost.
		socket().shutdownSend();
		socket().setReceiveTimeout(Poco::Timespan(0, 200000));
		char buffer[4096];
		std::size_t total = 0;
		while (total < 256 * 1024)
		{
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
		if (abortCurrent)
		{
			socket().shutdown();
		}
		else
		{
			// Waits for the request in progress, then wakes a connection idling between requests.
			Poco::FastMutex::ScopedLock lock(_mutex);
			socket().shutdown();
		}
	}
	catch (...)
	{
	}
}

} // namespace Hookgate

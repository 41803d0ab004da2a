#include "gateway/api/StaticFileHandler.h"
#include "gateway/api/ApiExchange.h"

#include <Poco/Net/HTTPResponse.h>

namespace Hookgate {

void StaticFileHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	ApiExchange exchange(request, response, _maxBodySize);
	const std::string where = request.getMethod() + " " + request.getURI();
	try
	{
		const StaticFiles::Reply reply = _files.respond(request.getMethod(), request.getURI(), request.get("If-None-Match", ""));
		for (const auto& [name, value] : reply.headers) response.set(name, value);
		if (reply.status >= 400)
		{
			exchange.sendError(ApiError(reply.status, reply.errorCode, reply.errorMessage));
			return;
		}
		exchange.drain();  // a body sent with GET is read and ignored, so the connection stays usable
		response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
		if (reply.status == 304)
		{
			// No body; a Content-Length, if any, must be the 200's (RFC 9110 8.6), and keeps the connection open.
			response.setContentLength64(static_cast<Poco::Int64>(reply.size));
			response.send();
			return;
		}
		response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
		// For HEAD, Poco sends the headers only.
		response.send().write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
		return;
	}
	catch (const Poco::Exception& e)
	{
		_logger.error("%s: %s", where, e.displayText());
	}
	catch (const std::exception& e)
	{
		_logger.error("%s: %s", where, std::string(e.what()));
	}
	catch (...)
	{
		_logger.error("%s: unknown error", where);
	}
	try
	{
		if (!response.sent()) exchange.sendError(ApiError(500, "internal_error", "internal error; see the gateway's log"));
	}
	catch (...)
	{
	}
}

} // namespace Hookgate

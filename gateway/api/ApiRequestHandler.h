#pragma once

#include "gateway/api/ApiContext.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace Hookgate {

class ApiExchange;

/// Routes one request to its resource, authenticates it, and maps every failure to the
/// API.md error body: unknown paths 404, known paths with another method 405.
class ApiRequestHandler : public Poco::Net::HTTPRequestHandler
{
public:
	explicit ApiRequestHandler(ApiContext& context): _context(context) {}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
	void route(ApiExchange& exchange);
	void authenticate(ApiExchange& exchange);
	void health(ApiExchange& exchange);

	ApiContext& _context;
};

/// Every request gets an ApiRequestHandler (never a null handler, which Poco answers with 501).
class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit ApiRequestHandlerFactory(ApiContext& context): _context(context) {}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	ApiContext& _context;
};

} // namespace Hookgate

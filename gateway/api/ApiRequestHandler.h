#pragma once

#include "gateway/api/ApiContext.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace Hookgate {

class ApiExchange;

/// Who is calling: the admin, or the holder of one account's token.
struct ApiCaller
{
	bool admin = false;
	std::string accountId;
};

/// Routes one request to its resource, authenticates it, and maps every failure to the
/// docs/api.md "Errors" body: unknown paths 404, known paths with another method 405.
class ApiRequestHandler : public Poco::Net::HTTPRequestHandler
{
public:
	explicit ApiRequestHandler(ApiContext& context): _context(context) {}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
	void route(ApiExchange& exchange);
	/// 401 unless the bearer token is the admin token or an account token.
	ApiCaller authenticate(ApiExchange& exchange);
	/// 403 unless the caller may act on `accountId` (account tokens: only their own, never admin-only actions).
	static void authorize(const ApiCaller& caller, const std::string& accountId, bool adminOnly);
	/// GET /health: liveness only (200 while serving, 503 while starting or stopping).
	void health(ApiExchange& exchange);
	/// GET /ready: 200 {"status":"ready"} while the store can write, else 503 with the reason.
	void readiness(ApiExchange& exchange);

	ApiContext& _context;
};

class StaticFiles;

/// Every request gets an ApiRequestHandler (never a null handler, which Poco answers with 501),
/// except the dashboard's paths (all but /api/..., /health, /metrics) when `dashboard` is set:
/// those get a StaticFileHandler.
class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit ApiRequestHandlerFactory(ApiContext& context, const StaticFiles* dashboard = nullptr):
		_context(context),
		_dashboard(dashboard)
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	ApiContext& _context;
	const StaticFiles* _dashboard;
};

} // namespace Hookgate

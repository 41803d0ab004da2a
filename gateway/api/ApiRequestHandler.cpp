#include "gateway/api/ApiRequestHandler.h"
#include "gateway/core/AccountTokens.h"
#include "gateway/api/AccountsResource.h"
#include "gateway/api/ApiExchange.h"
#include "gateway/api/DeliveriesResource.h"
#include "gateway/api/EndpointsResource.h"
#include "gateway/api/EventsResource.h"
#include "gateway/api/EndpointOptionsResource.h"
#include "gateway/api/StaticFileHandler.h"
#include "gateway/api/TokenResource.h"

#include <Poco/Data/DataException.h>

#include <algorithm>
#include <functional>
#include <map>

namespace Hookgate {

namespace {

bool constantTimeEquals(const std::string& a, const std::string& b)
{
	unsigned char diff = a.size() == b.size() ? 0 : 1;
	const std::size_t n = std::max(a.size(), b.size());
	for (std::size_t i = 0; i < n; ++i)
	{
		const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
		const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
		diff |= static_cast<unsigned char>(x ^ y);
	}
	return diff == 0;
}

using Handler = std::function<void()>;

/// Answers 405 with the allowed methods unless `method` is one of `handlers`.
void dispatch(ApiExchange& exchange, const std::map<std::string, Handler>& handlers)
{
	const auto it = handlers.find(exchange.method());
	if (it == handlers.end())
	{
		std::string allow;
		for (const auto& [m, h] : handlers) allow += (allow.empty() ? "" : ", ") + m;
		exchange.setHeader("Allow", allow);
		throw ApiError(405, "method_not_allowed", exchange.method() + " is not allowed here; allowed: " + allow);
	}
	it->second();
}

} // namespace

Poco::Net::HTTPRequestHandler* ApiRequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest& request)
{
	if (_dashboard && StaticFiles::isDashboardPath(request.getURI()))
		return new StaticFileHandler(*_dashboard, _context.settings.maxBodySize, _context.logger);
	return new ApiRequestHandler(_context);
}

void ApiRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	ApiExchange exchange(request, response, _context.settings.maxBodySize);
	const std::string where = request.getMethod() + " " + request.getURI();
	try
	{
		route(exchange);
		return;
	}
	catch (const ApiError& e)
	{
		if (e.status() >= 500) _context.logger.error("%s: %s", where, e.message());
		if (!exchange.responded()) exchange.sendError(e);
		return;
	}
	catch (const DomainError& e)
	{
		if (!exchange.responded()) exchange.sendError(ApiError::from(e));
		return;
	}
	catch (const StoreUnavailableException& e)
	{
		_context.logger.error("%s: %s", where, e.displayText());
		if (_context.readiness) _context.readiness->writeFailed(e.message());
		if (!exchange.responded()) exchange.sendError(ApiError(503, "unavailable", "the store is unavailable: " + e.message()));
		return;
	}
	catch (const Poco::Data::DataException& e)
	{
		_context.logger.error("%s: store error: %s", where, e.displayText());
		if (_context.readiness) _context.readiness->writeFailed(e.displayText());
		if (!exchange.responded()) exchange.sendError(ApiError(503, "unavailable", "the store failed: " + e.displayText()));
		return;
	}
	catch (const Poco::Exception& e)
	{
		_context.logger.error("%s: %s", where, e.displayText());
	}
	catch (const std::exception& e)
	{
		_context.logger.error("%s: %s", where, std::string(e.what()));
	}
	catch (...)
	{
		_context.logger.error("%s: unknown error", where);
	}
	try
	{
		if (!exchange.responded()) exchange.sendError(ApiError(500, "internal_error", "internal error; see the gateway's log"));
	}
	catch (...)
	{
	}
}

ApiCaller ApiRequestHandler::authenticate(ApiExchange& exchange)
{
	const std::string token = exchange.bearerToken();
	if (token.empty()) throw ApiError(401, "unauthorized", "missing bearer token: send 'Authorization: Bearer <token>'");
	if (constantTimeEquals(token, _context.settings.adminToken)) return ApiCaller{true, {}};
	if (AccountTokens::looksLikeToken(token))
	{
		if (auto account = _context.store.accountOfToken(AccountTokens::hash(token))) return ApiCaller{false, *account};
	}
	throw ApiError(401, "unauthorized", "invalid bearer token");
}

void ApiRequestHandler::authorize(const ApiCaller& caller, const std::string& accountId, bool adminOnly)
{
	if (caller.admin) return;
	if (adminOnly) throw ApiError(403, "forbidden", "this needs the admin token; an account token may not do it");
	if (accountId != caller.accountId)
		throw ApiError(403, "forbidden", "this token belongs to account '" + caller.accountId + "', not to '" + accountId + "'");
}

void ApiRequestHandler::health(ApiExchange& exchange)
{
	auto o = ApiExchange::object();
	if (_context.ready)
	{
		o->set("status", std::string("ok"));
		exchange.sendJson(200, *o);
	}
	else
	{
		o->set("status", std::string("unavailable"));
		exchange.sendJson(503, *o);
	}
}

void ApiRequestHandler::readiness(ApiExchange& exchange)
{
	auto o = ApiExchange::object();
	Readiness::State state;
	if (!_context.ready) state.reason = "hookgate is starting or stopping";
	else if (_context.readiness) state = _context.readiness->check();
	else state.ready = true;
	o->set("status", std::string(state.ready ? "ready" : "unavailable"));
	if (!state.ready) o->set("reason", state.reason);
	exchange.sendJson(state.ready ? 200 : 503, *o);
}

void ApiRequestHandler::route(ApiExchange& exchange)
{
	const auto& s = exchange.segments();
	const std::size_t n = s.size();
	if (n == 1 && s[0] == "health")
		return dispatch(exchange, {{"GET", [&] { health(exchange); }}, {"HEAD", [&] { health(exchange); }}});
	if (n == 1 && s[0] == "ready")
		return dispatch(exchange, {{"GET", [&] { readiness(exchange); }}, {"HEAD", [&] { readiness(exchange); }}});
	if (n == 1 && s[0] == "metrics")
		return dispatch(exchange, {{"GET", [&] {
			exchange.sendBytes(200, "text/plain; version=0.0.4; charset=utf-8",
				_context.metrics.render(_context.store.queueSummary(), _context.clock.now()));
		}}});

	if (n < 3 || s[0] != "api" || s[1] != "v1" || (s[2] != "accounts" && s[2] != "token"))
		throw ApiError::notFound("no such path: " + exchange.method() + " " + exchange.path());

	// Known shapes only; everything else is 404 before authentication says anything.
	std::map<std::string, Handler> handlers;
	AccountsResource accounts(_context);
	EndpointsResource endpoints(_context);
	EventsResource events(_context);
	DeliveriesResource deliveries(_context);
	const std::string a = n > 3 ? s[3] : std::string();
	const std::string r = n > 4 ? s[4] : std::string();
	const std::string x = n > 5 ? s[5] : std::string();
	const std::string y = n > 6 ? s[6] : std::string();
	const std::string z = n > 7 ? s[7] : std::string();

	// Which methods of the path need the admin token even when it names the caller's own account.
	std::vector<std::string> adminOnly;
	ApiCaller caller;
	// Paths that name no account and are open to every valid token (no authorize()).
	bool anyToken = false;
	if (s[2] == "token")
	{
		if (n != 3) throw ApiError::notFound("no such path: " + exchange.method() + " " + exchange.path());
		handlers = {{"GET", [&] { TokenResource().get(exchange, caller.admin, caller.accountId); }}};
		anyToken = true;
	}
	else if (n == 3)
	{
		handlers = {{"GET", [&] { accounts.list(exchange); }}, {"POST", [&] { accounts.create(exchange); }}};
		adminOnly = {"GET", "POST"};
	}
	else if (n == 4)
	{
		handlers = {{"GET", [&] { accounts.get(exchange, a); }}, {"PATCH", [&] { accounts.patch(exchange, a, caller.admin); }},
			{"DELETE", [&] { accounts.remove(exchange, a); }}};
		adminOnly = {"DELETE"};
	}
	else if (n == 5 && r == "tokens")
	{
		handlers = {{"POST", [&] { accounts.createToken(exchange, a); }}};
		adminOnly = {"POST"};
	}
	else if (n == 5 && r == "endpoints")
		handlers = {{"GET", [&] { endpoints.list(exchange, a); }}, {"POST", [&] { endpoints.create(exchange, a); }}};
	else if (n == 5 && r == "events")
		handlers = {{"POST", [&] { events.ingest(exchange, a); }}};
	else if (n == 5 && r == "endpoint-options")
		handlers = {{"GET", [&] { EndpointOptionsResource(_context).get(exchange, a); }}};
	else if (n == 6 && r == "endpoints")
		handlers = {{"GET", [&] { endpoints.get(exchange, a, x); }}, {"PATCH", [&] { endpoints.patch(exchange, a, x); }},
			{"DELETE", [&] { endpoints.remove(exchange, a, x); }}};
	else if (n == 7 && r == "endpoints" && y == "deliveries")
		handlers = {{"GET", [&] { deliveries.list(exchange, a, x); }}};
	else if (n == 7 && r == "endpoints" && y == "stats")
		handlers = {{"GET", [&] { endpoints.stats(exchange, a, x); }}};
	else if (n == 7 && r == "endpoints" && y == "secret")
		handlers = {{"GET", [&] { endpoints.secret(exchange, a, x); }}};
	else if (n == 8 && r == "endpoints" && y == "secret" && z == "rotate")
		handlers = {{"POST", [&] { endpoints.rotateSecret(exchange, a, x); }}};
	else if (n == 6 && r == "deliveries")
		handlers = {{"GET", [&] { deliveries.get(exchange, a, x); }}};
	else if (n == 7 && r == "endpoints" && y == "recover")
		handlers = {{"POST", [&] { deliveries.recover(exchange, a, x); }}};
	else if (n == 7 && r == "deliveries" && y == "replay")
		handlers = {{"POST", [&] { deliveries.replay(exchange, a, x); }}};
	else if (n == 7 && r == "deliveries" && (y == "raw" || y == "download"))
		handlers = {{"GET", [&] { deliveries.raw(exchange, a, x, y == "download"); }}};
	else
		throw ApiError::notFound("no such path: " + exchange.method() + " " + exchange.path());

	caller = authenticate(exchange);
	if (!anyToken) authorize(caller, a, std::find(adminOnly.begin(), adminOnly.end(), exchange.method()) != adminOnly.end());
	if (!_context.ready) throw ApiError(503, "unavailable", "hookgate is starting or stopping; try again shortly");
	// Every request body is held to the same rules (size, JSON Content-Type), also where the
	// action takes none (replay, rotate, tokens): a body sent there is checked, then ignored.
	if (handlers.count(exchange.method())) exchange.body();
	dispatch(exchange, handlers);
}

} // namespace Hookgate

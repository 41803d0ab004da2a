#pragma once

#include "gateway/api/ApiError.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <map>
#include <string>
#include <vector>

namespace Hookgate {

/// One API request and its response: path segments, query, a size-limited body, JSON in and out.
class ApiExchange
{
public:
	ApiExchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::size_t maxBodySize);

	const std::string& method() const { return _request.getMethod(); }
	const std::vector<std::string>& segments() const { return _segments; }
	/// The request path, without the query (at most 200 characters, for messages).
	std::string path() const;
	const std::string& segment(std::size_t i) const { return _segments.at(i); }
	bool hasQuery(const std::string& name) const { return _query.count(name) > 0; }
	std::string query(const std::string& name, const std::string& def = "") const;
	/// The bearer token of the Authorization header, empty if none.
	std::string bearerToken() const;

	/// The request body (read once): 413 above the size limit, 415 for a non-JSON Content-Type.
	const std::string& body();
	/// The body as a JSON object (member order kept); 400 `invalid_json` otherwise.
	Poco::JSON::Object::Ptr jsonObject();

	void sendJson(int status, const Poco::JSON::Object& object);
	void sendJsonText(int status, const std::string& json);
	void sendBytes(int status, const std::string& contentType, const std::string& bytes);
	void sendNoContent();
	void sendError(const ApiError& error);
	void setHeader(const std::string& name, const std::string& value);
	bool responded() const { return _responded; }

	/// Reads and discards what is left of the request body (bounded), so the connection can be reused.
	void drain();

	/// A new ordered JSON object (Poco sorts keys unless asked not to).
	static Poco::JSON::Object::Ptr object();
	/// The API's error body: {"error": {"code": ..., "message": ...}}.
	static std::string errorJson(const ApiError& error);

private:
	/// Whether the request announces a body (a length above 0, or chunked).
	bool hasBody() const;

	Poco::Net::HTTPServerRequest& _request;
	Poco::Net::HTTPServerResponse& _response;
	std::size_t _maxBodySize;
	std::vector<std::string> _segments;
	std::map<std::string, std::string> _query;
	std::string _body;
	bool _bodyRead = false;
	bool _responded = false;
};

} // namespace Hookgate

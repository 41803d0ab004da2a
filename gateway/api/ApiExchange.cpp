#include "gateway/api/ApiExchange.h"
#include "gateway/payload/JsonScanner.h"
#include "gateway/api/RequestFraming.h"

#include <Poco/Format.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/MediaType.h>
#include <Poco/NumberFormatter.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <sstream>

namespace Hookgate {

ApiExchange::ApiExchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::size_t maxBodySize):
	_request(request),
	_response(response),
	_maxBodySize(maxBodySize)
{
	Poco::URI uri;
	try
	{
		uri = Poco::URI(request.getURI());
		// Not uri.getPathSegments(): it decodes %2F before it splits.
		_segments = RequestFraming::pathSegments(request.getURI());
		for (const auto& [name, value] : uri.getQueryParameters()) _query[name] = value;
	}
	catch (const Poco::SyntaxException&)
	{
		_segments = {"\x01invalid"};  // matches no route: 404
	}
}

bool ApiExchange::hasBody() const
{
	return (_request.hasContentLength() && _request.getContentLength64() > 0) || _request.getChunkedTransferEncoding();
}

std::string ApiExchange::path() const
{
	std::string uri = _request.getURI();
	const std::size_t q = uri.find('?');
	if (q != std::string::npos) uri.resize(q);
	if (uri.size() > 200) uri = uri.substr(0, 200) + "...";
	return uri;
}

std::string ApiExchange::query(const std::string& name, const std::string& def) const
{
	const auto it = _query.find(name);
	return it == _query.end() ? def : it->second;
}

std::string ApiExchange::bearerToken() const
{
	const std::string header = _request.get("Authorization", "");
	if (header.size() > 7 && Poco::icompare(header.substr(0, 7), "Bearer ") == 0) return Poco::trim(header.substr(7));
	return {};
}

const std::string& ApiExchange::body()
{
	if (_bodyRead) return _body;
	if (!hasBody())
	{
		_bodyRead = true;  // no Content-Length, not chunked: no body (RFC 9112 6.3)
		return _body;
	}
	if (_request.hasContentLength() && _request.getContentLength64() > static_cast<Poco::Int64>(_maxBodySize))
	{
		// Not read into memory; drain() discards it (bounded) so the client sees the answer.
		throw ApiError(413, "payload_too_large",
			Poco::format("request body of %Ld bytes is larger than hookgate.api.maxBodySize (%z bytes)",
				_request.getContentLength64(), _maxBodySize));
	}
	_bodyRead = true;
	std::istream& in = _request.stream();
	char buffer[8192];
	while (in)
	{
		in.read(buffer, sizeof(buffer));
		_body.append(buffer, static_cast<std::size_t>(in.gcount()));
		if (_body.size() > _maxBodySize)
		{
			_bodyRead = false;  // drain() discards the rest
			_body.clear();
			throw ApiError(413, "payload_too_large",
				Poco::format("request body is larger than hookgate.api.maxBodySize (%z bytes)", _maxBodySize));
		}
	}
	if (!_body.empty())
	{
		const std::string contentType = _request.getContentType();
		bool json = false;
		try
		{
			Poco::Net::MediaType type(contentType);
			json = Poco::icompare(type.getType(), "application") == 0 && Poco::icompare(type.getSubType(), "json") == 0;
		}
		catch (const Poco::Exception&)
		{
		}
		if (!json)
			throw ApiError(415, "unsupported_media_type",
				"Content-Type must be application/json, got '" + (contentType.empty() ? std::string("(none)") : contentType) + "'");
	}
	return _body;
}

Poco::JSON::Object::Ptr ApiExchange::jsonObject()
{
	const std::string& text = body();
	if (text.empty()) throw ApiError(400, "invalid_json", "request body is empty; expected a JSON object");
	JsonScanner scanner;
	std::vector<JsonToken> tokens;
	// (Duplicate names refused: Poco's parser would keep the last, another parser the first.)
	if (!scanner.tokenizeUnique(text, tokens)) throw ApiError(400, "invalid_json", scanner.error());
	if (tokens.empty() || tokens[0].kind != 'o') throw ApiError(400, "invalid_json", "expected a JSON object");
	try
	{
		Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
		return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
	}
	catch (const Poco::Exception& e)
	{
		throw ApiError(400, "invalid_json", "invalid JSON: " + e.message());
	}
}

Poco::JSON::Object::Ptr ApiExchange::object()
{
	return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

void ApiExchange::setHeader(const std::string& name, const std::string& value)
{
	_response.set(name, value);
}

void ApiExchange::sendBytes(int status, const std::string& contentType, const std::string& bytes)
{
	drain();
	_response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	_response.setContentType(contentType);
	_response.set("Cache-Control", "no-store");
	_response.set("X-Content-Type-Options", "nosniff");
	_response.setContentLength(static_cast<std::streamsize>(bytes.size()));
	_responded = true;
	_response.send().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void ApiExchange::sendJsonText(int status, const std::string& json)
{
	sendBytes(status, "application/json; charset=utf-8", json);
}

void ApiExchange::sendJson(int status, const Poco::JSON::Object& object)
{
	std::ostringstream out;
	object.stringify(out);
	sendJsonText(status, out.str());
}

void ApiExchange::sendNoContent()
{
	drain();
	_response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
	_response.setContentLength(0);
	_responded = true;
	_response.send();
}

std::string ApiExchange::errorJson(const ApiError& error)
{
	auto inner = object();
	inner->set("code", error.code());
	inner->set("message", error.message());
	if (!error.field().empty()) inner->set("field", error.field());
	auto outer = object();
	outer->set("error", inner);
	std::ostringstream out;
	outer->stringify(out);
	return out.str();
}

void ApiExchange::sendError(const ApiError& error)
{
	sendJsonText(error.status(), errorJson(error));
}

void ApiExchange::drain()
{
	if (_bodyRead) return;
	_bodyRead = true;
	if (!hasBody()) return;
	// Read what the client is still sending (bounded), so that it gets to read our answer
	// instead of a reset connection; beyond the bound, answer and close.
	const std::size_t bound = 4 * _maxBodySize + 65536;
	std::istream& in = _request.stream();
	char buffer[8192];
	std::size_t total = 0;
	while (in && total <= bound)
	{
		in.read(buffer, sizeof(buffer));
		total += static_cast<std::size_t>(in.gcount());
	}
	if (in) _response.setKeepAlive(false);
}

} // namespace Hookgate

#include "ApiClient.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <sstream>

namespace Hookgate {
namespace Test {

std::string ApiResponse::describe() const
{
	static const std::size_t maxBody = 3000;
	const std::string shown = body.size() <= maxBody
		? body
		: body.substr(0, maxBody) + "[... " + std::to_string(body.size() - maxBody) + " more bytes]";
	return std::to_string(status) + " " + contentType + " " + shown;
}

ApiClient::ApiClient(Poco::UInt16 port, const std::string& adminToken):
	_port(port),
	_adminToken(adminToken)
{
}

void ApiClient::setPort(Poco::UInt16 port)
{
	_port = port;
}

Poco::UInt16 ApiClient::port() const
{
	return _port;
}

ApiResponse ApiClient::get(const std::string& path, const std::optional<std::string>& token) const
{
	return send(makeRequest("GET", path, std::nullopt, token));
}

ApiResponse ApiClient::post(const std::string& path, const std::string& jsonBody, const std::optional<std::string>& token) const
{
	return send(makeRequest("POST", path, jsonBody, token));
}

ApiResponse ApiClient::patch(const std::string& path, const std::string& jsonBody, const std::optional<std::string>& token) const
{
	return send(makeRequest("PATCH", path, jsonBody, token));
}

ApiResponse ApiClient::del(const std::string& path, const std::optional<std::string>& token) const
{
	return send(makeRequest("DELETE", path, std::nullopt, token));
}

RawRequest ApiClient::makeRequest(const std::string& method, const std::string& path,
	const std::optional<std::string>& body, const std::optional<std::string>& token) const
{
	RawRequest request;
	request.method = method;
	request.path = path;
	request.body = body;
	if (body) request.contentType = "application/json";
	request.authorization = "Bearer " + token.value_or(_adminToken);
	return request;
}

ApiResponse ApiClient::send(const RawRequest& raw) const
{
	Poco::Net::HTTPClientSession session("127.0.0.1", _port);
	session.setTimeout(Poco::Timespan(30, 0));
	Poco::Net::HTTPRequest request(raw.method, raw.path, Poco::Net::HTTPMessage::HTTP_1_1);
	if (raw.contentType) request.setContentType(*raw.contentType);
	if (raw.authorization) request.set("Authorization", *raw.authorization);
	for (const auto& header: raw.headers) request.add(header.first, header.second);
	if (raw.body && raw.chunked) request.setChunkedTransferEncoding(true);
	else if (raw.body) request.setContentLength(static_cast<std::streamsize>(raw.body->size()));
	std::ostream& out = session.sendRequest(request);
	if (raw.body) out << *raw.body;

	Poco::Net::HTTPResponse response;
	std::istream& in = session.receiveResponse(response);
	ApiResponse result;
	result.status = static_cast<int>(response.getStatus());
	for (const auto& header: response) result.headers.add(header.first, header.second);
	result.contentType = response.getContentType();
	Poco::StreamCopier::copyToString(in, result.body);
	result.json = parseObject(result.body);
	return result;
}

Poco::JSON::Object::Ptr ApiClient::parseObject(const std::string& text)
{
	try
	{
		Poco::JSON::Parser parser;
		Poco::Dynamic::Var value = parser.parse(text);
		if (value.type() == typeid(Poco::JSON::Object::Ptr)) return value.extract<Poco::JSON::Object::Ptr>();
	}
	catch (...)
	{
	}
	return Poco::JSON::Object::Ptr();
}

std::string ApiClient::canonical(const Poco::JSON::Object::Ptr& object)
{
	if (!object) return "null";
	// Re-parse without insertion order so the keys come out sorted.
	std::ostringstream text;
	object->stringify(text);
	Poco::JSON::Parser parser;
	Poco::JSON::Object::Ptr sorted = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
	std::ostringstream result;
	sorted->stringify(result);
	return result.str();
}

} } // namespace Hookgate::Test

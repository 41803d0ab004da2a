#include "AccountSteps.h"

#include "ErrorCheck.h"
#include "../fixtures/ExceptionText.h"
#include "GatewayProcess.h"
#include "Steps.h"

#include <catch2/catch.hpp>

#include <Poco/JSON/Array.h>

#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

namespace Hookgate {
namespace Test {
namespace AccountSteps {

std::string issueToken(const ApiClient& api, const std::string& account)
{
	const std::string path = "/api/v1/accounts/" + account + "/tokens";
	const ApiResponse response = api.post(path, "{}");
	INFO("POST " << path << " -> " << response.describe());
	REQUIRE(response.status == 201);
	REQUIRE(response.json);
	const std::string token = Steps::stringOf(response.json, "token");
	REQUIRE(isAccountToken(token));
	return token;
}

bool isAccountToken(const std::string& token)
{
	static const std::regex pattern("^hgk_[A-Za-z0-9]{20,}$");
	return std::regex_match(token, pattern);
}

std::string endpointBody(const std::string& url, const std::vector<std::string>& eventTypes, const std::string& extraFields)
{
	std::string types;
	for (const auto& type: eventTypes) types += (types.empty() ? "" : ",") + Steps::jsonString(type);
	std::string body = "{\"url\":" + Steps::jsonString(url) + ",\"eventTypes\":[" + types + "]";
	if (!extraFields.empty()) body += "," + extraFields;
	return body + "}";
}

Poco::JSON::Object::Ptr getAccount(const ApiClient& api, const std::string& account)
{
	const ApiResponse response = api.get("/api/v1/accounts/" + account);
	INFO("GET /api/v1/accounts/" << account << " -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	return response.json;
}

Poco::JSON::Object::Ptr getEndpoint(const ApiClient& api, const std::string& account, const std::string& endpoint)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint;
	const ApiResponse response = api.get(path);
	INFO("GET " << path << " -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	return response.json;
}

std::vector<std::string> endpointIds(const ApiClient& api, const std::string& account)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints";
	const ApiResponse response = api.get(path);
	INFO("GET " << path << " -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	Poco::JSON::Array::Ptr items = response.json->getArray("items");
	REQUIRE(items);
	std::vector<std::string> ids;
	for (std::size_t i = 0; i < items->size(); ++i)
		ids.push_back(Steps::stringOf(items->getObject(static_cast<unsigned>(i)), "id"));
	return ids;
}

std::string secretOf(const ApiClient& api, const std::string& account, const std::string& endpoint)
{
	const std::string path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint + "/secret";
	const ApiResponse response = api.get(path);
	INFO("GET " << path << " -> " << response.describe());
	REQUIRE(response.status == 200);
	REQUIRE(response.json);
	const std::string secret = Steps::stringOf(response.json, "secret");
	REQUIRE(secret.rfind("whsec_", 0) == 0);
	return secret;
}

std::vector<std::string> stringsOf(const Poco::JSON::Object::Ptr& object, const std::string& key)
{
	std::vector<std::string> values;
	if (!object || !object->has(key) || object->isNull(key)) return values;
	Poco::JSON::Array::Ptr array = object->getArray(key);
	if (!array) return values;
	for (std::size_t i = 0; i < array->size(); ++i)
	{
		const Poco::Dynamic::Var value = array->get(static_cast<unsigned>(i));
		values.push_back(value.isString() ? value.extract<std::string>() : std::string());
	}
	return values;
}

std::string raceEndpointCreates(const std::vector<Poco::UInt16>& ports, const std::string& account,
	const std::string& urlPrefix, int count, const std::string& plan)
{
	const auto n = static_cast<std::size_t>(count);
	std::vector<ApiResponse> answers(n);
	std::vector<std::string> failures(n);
	std::mutex mutex;
	std::condition_variable go;
	int ready = 0;
	bool started = false;
	std::vector<std::thread> threads;
	for (std::size_t i = 0; i < n; ++i)
	{
		threads.emplace_back([&, i] {
			ApiClient client(ports[i % ports.size()], GatewayProcess::ADMIN_TOKEN);
			const std::string body = endpointBody(urlPrefix + std::to_string(i), {"customer.created"});
			{
				std::unique_lock<std::mutex> lock(mutex);
				++ready;
				go.notify_all();
				go.wait(lock, [&] { return started; });
			}
			try
			{
				answers[i] = client.post("/api/v1/accounts/" + account + "/endpoints", body);
			}
			catch (const std::exception& e)
			{
				failures[i] = exceptionText(e);
			}
		});
	}
	{
		std::unique_lock<std::mutex> lock(mutex);
		go.wait(lock, [&] { return ready == count; });
		started = true;
		go.notify_all();
	}
	for (auto& thread: threads) thread.join();

	int created = 0;
	int refused = 0;
	std::string createdId;
	for (std::size_t i = 0; i < n; ++i)
	{
		INFO("request #" << i << " to port " << ports[i % ports.size()] << ": "
			<< (failures[i].empty() ? answers[i].describe() : "exception " + failures[i]));
		CHECK(failures[i].empty());
		if (answers[i].status == 201)
		{
			++created;
			createdId = Steps::stringOf(answers[i].json, "id");
		}
		else
		{
			checkApiError("parallel create #" + std::to_string(i), answers[i], 409, "plan_limit_reached", {plan});
			if (answers[i].status == 409 && errorCode(answers[i]) == "plan_limit_reached") ++refused;
		}
	}
	CHECK(created == 1);
	CHECK(refused == count - 1);
	return createdId;
}

} // namespace AccountSteps
} } // namespace Hookgate::Test

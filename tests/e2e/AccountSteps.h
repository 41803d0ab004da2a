#pragma once

#include "ApiClient.h"

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace Hookgate {
namespace Test {

/// Steps of the account and endpoint management tests (issue 5), in addition
/// to Steps: each checks the contract of the call it makes with REQUIREs.
namespace AccountSteps {

std::string issueToken(const ApiClient& api, const std::string& account);
	/// POST /api/v1/accounts/<account>/tokens with the admin token; requires
	/// 201 and a token "hgk_" + 20 or more of [A-Za-z0-9].

bool isAccountToken(const std::string& token);
	/// "hgk_" followed by 20 or more of [A-Za-z0-9].

std::string endpointBody(const std::string& url, const std::vector<std::string>& eventTypes,
	const std::string& extraFields = std::string());
	/// {"url": url, "eventTypes": [...], extraFields}

Poco::JSON::Object::Ptr getAccount(const ApiClient& api, const std::string& account);
	/// GET /api/v1/accounts/<account> (admin); requires 200 and a JSON object.

Poco::JSON::Object::Ptr getEndpoint(const ApiClient& api, const std::string& account, const std::string& endpoint);
	/// GET .../endpoints/<endpoint> (admin); requires 200 and a JSON object.

std::vector<std::string> endpointIds(const ApiClient& api, const std::string& account);

/// `count` endpoint creates for `account`, each from its own thread and connection, request i
/// to ports[i % ports.size()] with the URL urlPrefix + i, all released at once. Checks that
/// exactly one is created and every other one is refused with 409 plan_limit_reached naming
/// `plan`; returns the created endpoint's id.
std::string raceEndpointCreates(const std::vector<Poco::UInt16>& ports, const std::string& account,
	const std::string& urlPrefix, int count, const std::string& plan);
	/// The ids of GET .../endpoints (admin); requires 200 and an items array.

std::string secretOf(const ApiClient& api, const std::string& account, const std::string& endpoint);
	/// GET .../endpoints/<endpoint>/secret (admin); requires 200 and a whsec_ secret.

std::vector<std::string> stringsOf(const Poco::JSON::Object::Ptr& object, const std::string& key);
	/// The member as an array of strings (non-strings as ""), empty when missing.

} // namespace AccountSteps

} } // namespace Hookgate::Test

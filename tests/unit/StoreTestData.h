#pragma once

// Accounts, endpoints and events for the store tests (StoreTest.cpp, PostgreSQLStoreTest.cpp).

#include "gateway/core/Model.h"

#include <string>

namespace Hookgate::Test {

inline Account makeAccount(const std::string& id, const std::string& plan = "professional")
{
	Account a;
	a.id = id;
	a.name = "Name of " + id;
	a.plan = plan;
	a.webhooksEnabled = true;
	a.createdAt = 1000;
	return a;
}

inline Endpoint makeEndpoint(const std::string& accountId, const std::string& id)
{
	Endpoint e;
	e.id = id;
	e.accountId = accountId;
	e.url = "http://127.0.0.1:9/hook";
	e.eventTypes = {"appointment.*", "customer.created"};
	e.authHeader = AuthHeader{"X-Key", "s3cr3t"};
	e.secret = "whsec_abc";
	e.createdAt = 2000;
	return e;
}

inline Event makeEvent(const std::string& accountId, const std::string& id, const std::string& key = "")
{
	Event ev;
	ev.id = id;
	ev.accountId = accountId;
	ev.type = "appointment.updated";
	ev.idempotencyKey = key;
	ev.createdAt = 5000;
	return ev;
}

} // namespace Hookgate::Test

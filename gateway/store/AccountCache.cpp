#include "gateway/store/AccountCache.h"

namespace Hookgate {

std::optional<Account> AccountCache::account(const std::string& id, Generation& generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _accounts.find(id);
	if (it != _accounts.end()) return it->second;
	generation = _generation;
	return std::nullopt;
}

void AccountCache::putAccount(const Account& account, Generation generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (generation == _generation) _accounts[account.id] = account;
}

std::optional<std::vector<Endpoint>> AccountCache::endpoints(const std::string& accountId, Generation& generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _endpoints.find(accountId);
	if (it != _endpoints.end()) return it->second;
	generation = _generation;
	return std::nullopt;
}

void AccountCache::putEndpoints(const std::string& accountId, const std::vector<Endpoint>& endpoints, Generation generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (generation == _generation && !endpoints.empty()) _endpoints[accountId] = endpoints;
}

bool AccountCache::findEndpoint(const std::string& accountId, const std::string& id, std::optional<Endpoint>& endpoint,
	Generation& generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _endpoints.find(accountId);
	if (it == _endpoints.end())
	{
		generation = _generation;
		return false;
	}
	endpoint.reset();
	for (const auto& e : it->second)
		if (e.id == id) endpoint = e;
	return true;
}

void AccountCache::invalidate()
{
	std::lock_guard<std::mutex> lock(_mutex);
	++_generation;
	_accounts.clear();
	_endpoints.clear();
}

} // namespace Hookgate

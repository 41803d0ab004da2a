#pragma once

#include "gateway/core/Model.h"

#include <Poco/Types.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Hookgate {

/// Accounts and their endpoints as last read from a single-node store, dropped whenever any
/// of them changes. Every ingest reads its account and endpoints and every attempt its
/// endpoint; these rarely change, and a read under the store's read lock costs more than
/// the rest of an ingest's reads together.
///
/// A read that missed takes a generation, reads the database, and puts what it read with
/// that generation; the put is ignored if a change was committed in between (it may have
/// read the state before that change). So a change must call invalidate() after its commit.
/// Thread-safe. Only accounts that exist and endpoint lists that are not empty are kept (a
/// flood of unknown ids leaves no trace).
class AccountCache
{
public:
	using Generation = Poco::UInt64;

	std::optional<Account> account(const std::string& id, Generation& generation);
	void putAccount(const Account& account, Generation generation);

	std::optional<std::vector<Endpoint>> endpoints(const std::string& accountId, Generation& generation);
	void putEndpoints(const std::string& accountId, const std::vector<Endpoint>& endpoints, Generation generation);
	/// One endpoint out of the cached list of its account, without copying the list: false when
	/// the list is not cached (`generation` is set as by endpoints()), else true with `endpoint`
	/// empty if the account has no endpoint `id`.
	bool findEndpoint(const std::string& accountId, const std::string& id, std::optional<Endpoint>& endpoint,
		Generation& generation);

	/// Forgets everything (call it after a change to accounts or endpoints is committed).
	void invalidate();

	/// Calls invalidate() when it goes out of scope: put one at the top of each change.
	class Invalidation
	{
	public:
		explicit Invalidation(AccountCache& cache): _cache(cache) {}
		~Invalidation() { _cache.invalidate(); }
		Invalidation(const Invalidation&) = delete;
		Invalidation& operator=(const Invalidation&) = delete;

	private:
		AccountCache& _cache;
	};

private:
	std::mutex _mutex;
	Generation _generation = 0;
	std::map<std::string, Account> _accounts;
	std::map<std::string, std::vector<Endpoint>> _endpoints;
};

} // namespace Hookgate

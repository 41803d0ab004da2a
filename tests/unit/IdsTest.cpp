#include "gateway/core/Ids.h"

#include <catch2/catch.hpp>

#include <set>

using namespace Hookgate;

namespace {

bool isBase62(const std::string& s)
{
	for (char c : s)
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
	return true;
}

} // namespace

TEST_CASE("Ids are the prefix and 24 characters of [A-Za-z0-9], and do not repeat", "[ids]")
{
	std::set<std::string> seen;
	for (int i = 0; i < 2000; ++i)
	{
		for (const auto& id : {Ids::make("ep_"), Ids::makeTimeOrdered("ep_", 1795000000000 + i / 10)})
		{
			REQUIRE(id.size() == 3 + 24);
			CHECK(id.compare(0, 3, "ep_") == 0);
			CHECK(isBase62(id.substr(3)));
			CHECK(seen.insert(id).second);
		}
	}
}

TEST_CASE("Time-ordered ids sort by their time, across the digits' carries", "[ids]")
{
	const Poco::Int64 times[] = {0, 1, 61, 62, 63, 3843, 3844, 1795000000000, 1795000000001, 1795000003844, 218340105584895};
	std::string previous;
	for (Poco::Int64 t : times)
	{
		const std::string id = Ids::makeTimeOrdered("msg_", t);
		// Same time: the random part decides; a later time always sorts after.
		CHECK(id.substr(0, 12) > previous.substr(0, previous.empty() ? 0 : 12));
		CHECK(Ids::makeTimeOrdered("msg_", t).substr(0, 12) == id.substr(0, 12));
		previous = id;
	}
}

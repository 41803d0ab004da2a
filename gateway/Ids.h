#pragma once

#include <string>

namespace Hookgate {

/// Opaque identifiers: a prefix (`msg_`, `ep_`, `dlv_`, `hgk_`) and 24 random characters of [A-Za-z0-9].
class Ids
{
public:
	static std::string make(const std::string& prefix, std::size_t length = 24);
};

} // namespace Hookgate

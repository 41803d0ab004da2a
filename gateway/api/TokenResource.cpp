#include "gateway/api/TokenResource.h"

namespace Hookgate {

void TokenResource::get(ApiExchange& exchange, bool admin, const std::string& accountId)
{
	auto o = ApiExchange::object();
	o->set("admin", admin);
	if (!admin) o->set("accountId", accountId);
	exchange.sendJson(200, *o);
}

} // namespace Hookgate

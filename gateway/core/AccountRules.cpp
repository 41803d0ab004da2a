#include "gateway/core/AccountRules.h"
#include "transports/PrintableText.h"

namespace Hookgate {

std::string AccountRules::checkId(const std::string& id)
{
	if (id.empty() || id.size() > 64) return "id: expected 1 to 64 characters, got " + std::to_string(id.size());
	for (char c : id)
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return "id: '" + id + "' may contain only a-z, 0-9, '_' and '-'";
	return {};
}

std::string AccountRules::checkName(const std::string& name)
{
	if (name.size() > 200) return "name: at most 200 characters";
	if (auto why = PrintableText::check(name); !why.empty()) return "name: " + why;
	return {};
}

} // namespace Hookgate

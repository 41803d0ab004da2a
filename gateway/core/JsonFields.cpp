#include "gateway/core/JsonFields.h"
#include "gateway/core/DomainError.h"

#include <algorithm>

namespace Hookgate {

void JsonFields::rejectUnknown(const Poco::JSON::Object& object, const std::vector<std::string>& allowed, const std::string& what)
{
	std::vector<std::string> names;
	object.getNames(names);
	for (const auto& name : names)
	{
		if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
		{
			std::string list;
			for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
			throw DomainError(DomainError::Code::ValidationFailed, name,
				"unknown field '" + name + "' in " + what + "; known fields: " + list);
		}
	}
}

std::string JsonFields::string(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::Dynamic::Var value = object.get(name);
	if (!value.isString()) throw DomainError::invalid(name, "expected a string");
	return value.extract<std::string>();
}

bool JsonFields::boolean(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::Dynamic::Var value = object.get(name);
	if (!value.isBoolean()) throw DomainError::invalid(name, "expected true or false");
	return value.extract<bool>();
}

} // namespace Hookgate

#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace Hookgate {

/// Typed reads of a JSON object's members for the rules of the core; a member of the wrong
/// type or an unknown one is a DomainError (ValidationFailed) that names it.
class JsonFields
{
public:
	/// Refuses a member of `object` that is not in `allowed`; `what` names the object in the message.
	static void rejectUnknown(const Poco::JSON::Object& object, const std::vector<std::string>& allowed, const std::string& what);
	static std::string string(const Poco::JSON::Object& object, const std::string& name);
	static bool boolean(const Poco::JSON::Object& object, const std::string& name);
};

} // namespace Hookgate

#include "gateway/core/EventCatalog.h"

namespace Hookgate {

namespace {

const char* const BUILT_IN[] = {
	"appointment.booking.created",
	"event.booking.created",
	"appointment.booking.cancelled",
	"event.booking.cancelled",
	"appointment.updated",
	"appointment.manual.booking.created",
	"event.manual.booking.created",
	"customer.created",
	"customer.updated",
	"customer.deleted",
	"lead.created",
	"appointment.booking.payment_succeeded",
	"appointment.booking.payment_failed",
	"event.booking.payment_succeeded",
	"event.booking.payment_failed",
};

} // namespace

EventCatalog::EventCatalog(const std::vector<std::string>& extraTypes)
{
	for (const char* t : BUILT_IN) _types.insert(t);
	for (const auto& t : extraTypes) _types.insert(t);
}

bool EventCatalog::contains(const std::string& type) const
{
	return _types.count(type) > 0;
}

std::string EventCatalog::checkPattern(const std::string& pattern) const
{
	if (pattern == "*") return {};
	if (pattern.size() > 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0)
	{
		for (const auto& t : _types)
			if (matches(pattern, t)) return {};
		return "'" + pattern + "' matches no event type of the catalog";
	}
	if (pattern.find('*') != std::string::npos)
		return "'" + pattern + "': a wildcard is allowed only as '*' or at the end, as 'prefix.*'";
	if (!contains(pattern)) return "'" + pattern + "' is not an event type of the catalog";
	return {};
}

bool EventCatalog::matches(const std::string& pattern, const std::string& type)
{
	if (pattern == "*") return true;
	if (pattern.size() > 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0)
		return type.size() > pattern.size() - 1 && type.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
	return pattern == type;
}

bool EventCatalog::matchesAny(const std::vector<std::string>& patterns, const std::string& type)
{
	for (const auto& p : patterns)
		if (matches(p, type)) return true;
	return false;
}

bool EventCatalog::isEnterpriseOnly(const std::string& type)
{
	return type == "lead.created";
}

bool EventCatalog::patternNeedsEnterprise(const std::string& pattern)
{
	return pattern != "*" && matches(pattern, "lead.created");
}

} // namespace Hookgate

#include "gateway/PayloadBuilder.h"

#include "gateway/JsonScanner.h"

#include <Poco/Exception.h>

namespace Hookgate {

const std::string PayloadBuilder::NESTED("nested");


PayloadBuilder::PayloadBuilder()
{
}


std::string PayloadBuilder::build(const EventEnvelope& event, const std::string& hierarchy) const
{
	if (hierarchy == NESTED) return buildNested(event);
	throw Poco::InvalidArgumentException("unknown payload hierarchy '" + hierarchy + "' (known: nested)");
}


std::string PayloadBuilder::buildNested(const EventEnvelope& event)
{
	const std::string& data = event.dataRaw;
	if (data.size() < 2 || data.front() != '{' || data.back() != '}')
	{
		throw Poco::InvalidArgumentException("event data must be the raw text of a JSON object, without surrounding whitespace");
	}

	std::string out;
	out.reserve(64 + event.id.size() + event.type.size() + event.created.size() + event.source.size() + data.size());
	out += "{\"id\":";
	JsonScanner::appendEncodedString(out, event.id);
	out += ",\"type\":";
	JsonScanner::appendEncodedString(out, event.type);
	out += ",\"created\":";
	JsonScanner::appendEncodedString(out, event.created);
	out += ",\"source\":";
	JsonScanner::appendEncodedString(out, event.source);
	out += ",\"data\":";
	out += data;
	out += '}';
	return out;
}


bool PayloadBuilder::isKnownHierarchy(const std::string& hierarchy)
{
	return hierarchy == NESTED;
}

} // namespace Hookgate

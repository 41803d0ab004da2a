#include "gateway/payload/EventEnvelope.h"
#include "gateway/payload/JsonScanner.h"

namespace Hookgate {

void EventEnvelope::appendHead(std::string& out) const
{
	out += "{\"id\":";
	JsonScanner::appendEncodedString(out, id);
	out += ",\"type\":";
	JsonScanner::appendEncodedString(out, type);
	out += ",\"created\":";
	JsonScanner::appendEncodedString(out, created);
	out += ",\"source\":";
	JsonScanner::appendEncodedString(out, source);
}

} // namespace Hookgate

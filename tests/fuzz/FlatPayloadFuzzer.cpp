// Flat payload building: any valid data object gives a valid JSON document whose keys are unique.
#include "FuzzInput.h"
#include "gateway/payload/FlatPayload.h"
#include "gateway/payload/JsonScanner.h"

#include <cstdlib>

using namespace Hookgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	JsonScanner scanner(64);
	std::vector<JsonMember> members;
	char kind = 0;
	if (!scanner.scan(text, members, kind) || kind != 'o') return 0;
	const EventEnvelope event{"msg_1", "customer.created", "2026-12-07T20:00:00Z", "hookgate", Fuzz::trimmed(text)};  // as EventsResource stores it
	const std::string out = FlatPayload::build(event);
	if (!JsonScanner(100000).validate(out)) std::abort();
	return 0;
}

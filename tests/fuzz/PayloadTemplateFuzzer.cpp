// Template parse and render: input = template text NUL event data. A template that parses
// renders, for any valid data object, a valid JSON document.
#include "FuzzInput.h"
#include "gateway/payload/JsonScanner.h"
#include "gateway/payload/PayloadTemplate.h"

#include <Poco/Exception.h>

#include <cstdlib>
#include <optional>

using namespace Hookgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const auto input = Fuzz::parts(data, size, 2);
	std::optional<PayloadTemplate> tpl;
	try
	{
		tpl = PayloadTemplate::parse(input[0], "fuzz.json");
	}
	catch (const Poco::DataFormatException&)
	{
		return 0;
	}
	EventEnvelope event{"msg_1", "customer.created", "2026-12-07T20:00:00Z", "hookgate", "{}"};
	JsonScanner scanner(64);
	std::vector<JsonMember> members;
	char kind = 0;
	if (scanner.scan(input[1], members, kind) && kind == 'o') event.dataRaw = Fuzz::trimmed(input[1]);  // as EventsResource stores it
	const std::string out = tpl->render(event);
	if (!JsonScanner(100000).validate(out)) std::abort();
	return 0;
}

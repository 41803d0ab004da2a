#include "gateway/api/EventsResource.h"
#include "gateway/core/DomainError.h"
#include "gateway/payload/JsonScanner.h"
#include "gateway/api/ApiResources.h"
#include "gateway/api/ApiViews.h"

namespace Hookgate {

void EventsResource::ingest(ApiExchange& exchange, const std::string& accountId)
{
	const Account account = ApiResources::requireAccount(_context, accountId);
	const std::string& text = exchange.body();
	if (text.empty()) throw ApiError(400, "invalid_json", "request body is empty; expected a JSON object");

	// One pass: validated, a name twice in one object refused (inside data too: a receiver's
	// parser might read the other value), and the top-level members taken from the tokens.
	JsonScanner scanner;
	std::vector<JsonToken> tokens;
	if (!scanner.tokenizeUnique(text, tokens))
	{
		// Well-formed so far but too deep: the JSON is not broken, our limit is reached.
		if (scanner.depthExceeded())
			throw ApiError::validation(scanner.error() + "; events may be nested at most "
				+ std::to_string(scanner.maxDepth()) + " levels deep, the outer object included");
		throw ApiError(400, "invalid_json", scanner.error());
	}
	if (tokens.empty() || tokens[0].kind != 'o') throw ApiError(400, "invalid_json", "expected a JSON object");

	// The members as the core wants them; the rules of the event are IngestService's.
	IngestRequest request;
	bool hasType = false;
	for (const auto& m : JsonScanner::membersOf(text, tokens))
	{
		if (m.name == "type")
		{
			if (m.kind != 's') throw DomainError::invalid("type", "expected a string");
			request.type = JsonScanner::decodeString(text.substr(m.offset, m.length));
			hasType = true;
		}
		else if (m.name == "id")
		{
			if (m.kind != 's') throw DomainError::invalid("id", "expected a string");
			request.idempotencyKey = JsonScanner::decodeString(text.substr(m.offset, m.length));
		}
		else if (m.name == "data")
		{
			request.data = text.substr(m.offset, m.length);
			request.dataIsObject = m.kind == 'o';
		}
		else
		{
			throw DomainError(DomainError::Code::ValidationFailed, m.name,
				"unknown field '" + m.name + "' in event; known fields: type, id, data");
		}
	}
	if (!hasType) throw DomainError::invalid("type", "required");

	const IngestResult result = _context.ingest.ingest(account, request);
	exchange.sendJson(result.duplicate ? 200 : 202, *ApiViews::ingest(result));
}

} // namespace Hookgate

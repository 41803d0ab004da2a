#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {

/// The dashboard's files (web/), served at `/` on the API's port: resolves a request path
/// safely inside the web root and says what to answer. Knows nothing of HTTP servers, so it
/// can be tested alone; StaticFileHandler turns a Reply into the response.
///
/// - Paths: percent-decoded segment by segment; `.`/`..`, hidden names (a leading `.`),
///   empty segments, `/`, `\`, control characters and bad escapes are refused (404), and
///   the file's real path (symlinks resolved) must lie inside the root's real path.
///   `/` and every path ending in `/` mean that folder's index.html. Query strings are ignored.
/// - GET and HEAD only (405 with `Allow: GET, HEAD` for an existing file, else 404).
/// - Caching: `Cache-Control: no-cache` with a strong ETag (size and modification time)
///   and Last-Modified; a matching If-None-Match is answered 304 without a body. So a
///   browser always revalidates (an update of web/ shows at the next load), at the cost of
///   one small request per file.
/// - Every answer carries the Content-Security-Policy below (no inline script or style),
///   `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`.
/// Files are read per request (they are small); nothing is cached in memory.
class StaticFiles
{
public:
	using Headers = std::vector<std::pair<std::string, std::string>>;

	struct Reply
	{
		int status = 200;
		Headers headers;            ///< Content-Type, caching and security headers (errors: security headers, Allow)
		std::string body;           ///< the file (empty for 304 and for errors)
		std::size_t size = 0;       ///< the file's size (also for 304, whose Content-Length it is)
		std::string errorCode;      ///< for 4xx: the docs/api.md code (`not_found`, `method_not_allowed`)
		std::string errorMessage;   ///< for 4xx: for people
		std::string header(const std::string& name) const;
	};

	/// Checks that `root` is a folder holding index.html; throws ConfigException naming
	/// `key` (the configuration key the root came from) otherwise.
	StaticFiles(const std::string& root, const std::string& key = "hookgate.web.root");

	const std::string& root() const { return _root; }

	/// The answer to `method` on `uri` (path, optionally with a query), given the request's
	/// If-None-Match header (empty if none).
	Reply respond(const std::string& method, const std::string& uri, const std::string& ifNoneMatch = "") const;

	/// The relative file path (`js/app.js`) a request path stands for, or nothing if it is refused.
	static std::optional<std::string> relativePath(const std::string& uri);

	/// The Content-Type of a file name by its extension (text types with charset=utf-8).
	static std::string contentType(const std::string& fileName);

	/// Whether a (raw) request URI belongs to the dashboard rather than to the API:
	/// everything but `/api/...`, `/health` and `/metrics`.
	static bool isDashboardPath(const std::string& uri);

	static const std::string CONTENT_SECURITY_POLICY;

private:
	Reply error(int status, const std::string& code, const std::string& message) const;
	static void addSecurityHeaders(Headers& headers);

	std::string _root;           ///< as configured (absolute)
	std::string _canonicalRoot;  ///< real path, symlinks resolved, ending in '/'
};

} // namespace Hookgate

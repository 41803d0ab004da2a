#include "gateway/api/StaticFiles.h"
#include "gateway/config/Settings.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/NumberFormatter.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <climits>
#include <cstdlib>
#include <sstream>

namespace Hookgate {

const std::string StaticFiles::CONTENT_SECURITY_POLICY =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

namespace {

/// The real path of `path` (symlinks and `..` resolved), empty if it does not exist.
std::string realPath(const std::string& path)
{
#ifdef _WIN32
	char buffer[_MAX_PATH];
	if (!_fullpath(buffer, path.c_str(), _MAX_PATH)) return {};
	return buffer;
#else
	char* resolved = ::realpath(path.c_str(), nullptr);
	if (!resolved) return {};
	std::string out(resolved);
	std::free(resolved);
	return out;
#endif
}

int hexValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/// One percent-decoded path segment; false for a bad escape.
bool decodeSegment(const std::string& raw, std::string& out)
{
	out.clear();
	for (std::size_t i = 0; i < raw.size(); ++i)
	{
		if (raw[i] != '%')
		{
			out += raw[i];
			continue;
		}
		if (i + 2 >= raw.size()) return false;
		const int hi = hexValue(raw[i + 1]);
		const int lo = hexValue(raw[i + 2]);
		if (hi < 0 || lo < 0) return false;
		out += static_cast<char>(hi * 16 + lo);
		i += 2;
	}
	return true;
}

/// Whether a decoded segment may name a file or folder of the web root.
bool acceptableSegment(const std::string& segment)
{
	if (segment.empty() || segment[0] == '.') return false;  // also "." and ".."; hidden files stay hidden
	for (char c : segment)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (u < 0x20 || u == 0x7f || c == '/' || c == '\\' || c == ':') return false;
	}
	return true;
}

std::string pathOf(const std::string& uri)
{
	std::string path = uri;
	const std::size_t end = path.find_first_of("?#");
	if (end != std::string::npos) path.resize(end);
	return path;
}

std::string shortened(const std::string& text)
{
	return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

bool etagMatches(const std::string& ifNoneMatch, const std::string& etag)
{
	Poco::StringTokenizer tags(ifNoneMatch, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (std::string tag : tags)
	{
		if (tag == "*") return true;
		if (tag.compare(0, 2, "W/") == 0) tag = tag.substr(2);  // weak comparison, as If-None-Match asks (RFC 9110 13.1.2)
		if (tag == etag) return true;
	}
	return false;
}

} // namespace

std::string StaticFiles::Reply::header(const std::string& name) const
{
	for (const auto& [n, v] : headers)
		if (Poco::icompare(n, name) == 0) return v;
	return {};
}

StaticFiles::StaticFiles(const std::string& root, const std::string& key):
	_root(root)
{
	Poco::File folder(root);
	if (!folder.exists() || !folder.isDirectory())
		throw ConfigException(key + " = '" + root + "': the dashboard's folder does not exist (set " + key + " to the web/ folder, or empty to switch the dashboard off)");
	if (!Poco::File(Poco::Path(root).makeDirectory().setFileName("index.html")).exists())
		throw ConfigException(key + " = '" + root + "': the folder has no index.html (set " + key + " to the web/ folder, or empty to switch the dashboard off)");
	_canonicalRoot = realPath(root);
	if (_canonicalRoot.empty()) throw ConfigException(key + " = '" + root + "': cannot resolve the folder's real path");
	if (_canonicalRoot.back() != '/') _canonicalRoot += '/';
}

std::optional<std::string> StaticFiles::relativePath(const std::string& uri)
{
	const std::string path = pathOf(uri);
	if (path.empty() || path[0] != '/' || path.size() > 1024) return std::nullopt;
	std::vector<std::string> segments;
	std::size_t start = 1;
	while (true)
	{
		const std::size_t slash = path.find('/', start);
		const std::string raw = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
		const bool last = slash == std::string::npos;
		if (raw.empty())
		{
			if (!last) return std::nullopt;  // "//": an empty segment
			segments.push_back("index.html");   // "/" or "/dir/": the folder's index
			break;
		}
		std::string decoded;
		if (!decodeSegment(raw, decoded) || !acceptableSegment(decoded)) return std::nullopt;
		segments.push_back(decoded);
		if (last) break;
		start = slash + 1;
	}
	std::string out;
	for (const auto& s : segments) out += (out.empty() ? "" : "/") + s;
	return out;
}

std::string StaticFiles::contentType(const std::string& fileName)
{
	const std::string ext = Poco::toLower(Poco::Path(fileName).getExtension());
	if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
	if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
	if (ext == "css") return "text/css; charset=utf-8";
	if (ext == "json" || ext == "map") return "application/json; charset=utf-8";
	if (ext == "txt") return "text/plain; charset=utf-8";
	if (ext == "svg") return "image/svg+xml; charset=utf-8";
	if (ext == "png") return "image/png";
	if (ext == "ico") return "image/x-icon";
	if (ext == "woff2") return "font/woff2";
	return "application/octet-stream";
}

bool StaticFiles::isDashboardPath(const std::string& uri)
{
	const std::string path = pathOf(uri);
	if (path.empty() || path[0] != '/') return false;  // absolute-form or '*': the API handler answers 404
	const std::size_t end = path.find('/', 1);
	const std::string first = path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
	if (first == "api") return false;
	if (end == std::string::npos && (first == "health" || first == "ready" || first == "metrics")) return false;
	return true;
}

void StaticFiles::addSecurityHeaders(Headers& headers)
{
	headers.emplace_back("Content-Security-Policy", CONTENT_SECURITY_POLICY);
	headers.emplace_back("X-Content-Type-Options", "nosniff");
	headers.emplace_back("Referrer-Policy", "no-referrer");
	headers.emplace_back("X-Frame-Options", "DENY");
}

StaticFiles::Reply StaticFiles::error(int status, const std::string& code, const std::string& message) const
{
	Reply reply;
	reply.status = status;
	reply.errorCode = code;
	reply.errorMessage = message;
	addSecurityHeaders(reply.headers);
	return reply;
}

StaticFiles::Reply StaticFiles::respond(const std::string& method, const std::string& uri, const std::string& ifNoneMatch) const
{
	const std::string notFound = "no such path: " + method + " " + shortened(pathOf(uri));
	const auto relative = relativePath(uri);
	if (!relative) return error(404, "not_found", notFound);
	const std::string full = _canonicalRoot + *relative;
	const std::string real = realPath(full);
	// Inside the root after resolving symlinks, and a regular file (not a folder).
	if (real.empty() || real.compare(0, _canonicalRoot.size(), _canonicalRoot) != 0) return error(404, "not_found", notFound);
	Poco::File file(real);
	if (!file.isFile()) return error(404, "not_found", notFound);
	if (method != "GET" && method != "HEAD")
	{
		Reply reply = error(405, "method_not_allowed", method + " is not allowed here; allowed: GET, HEAD");
		reply.headers.emplace_back("Allow", "GET, HEAD");
		return reply;
	}

	const Poco::Timestamp modified = file.getLastModified();
	const std::string etag = "\"" + Poco::NumberFormatter::formatHex(static_cast<Poco::UInt64>(file.getSize())) + "-"
		+ Poco::NumberFormatter::formatHex(static_cast<Poco::UInt64>(modified.epochMicroseconds())) + "\"";
	Reply reply;
	reply.headers.emplace_back("Cache-Control", "no-cache");
	reply.headers.emplace_back("ETag", etag);
	reply.headers.emplace_back("Last-Modified", Poco::DateTimeFormatter::format(modified, Poco::DateTimeFormat::HTTP_FORMAT));
	addSecurityHeaders(reply.headers);
	reply.size = static_cast<std::size_t>(file.getSize());
	if (!ifNoneMatch.empty() && etagMatches(ifNoneMatch, etag))
	{
		reply.status = 304;
		return reply;
	}
	reply.headers.emplace(reply.headers.begin(), "Content-Type", contentType(real));
	Poco::FileInputStream in(real);
	std::ostringstream bytes;
	bytes << in.rdbuf();
	reply.body = bytes.str();
	reply.size = reply.body.size();
	reply.status = 200;
	return reply;
}

} // namespace Hookgate

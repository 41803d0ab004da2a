#include "gateway/config/Settings.h"
#include "gateway/api/StaticFileHandler.h"
#include "gateway/api/StaticFiles.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/RegularExpression.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Util/MapConfiguration.h>

#include <catch2/catch.hpp>

#include <sstream>

#include <unistd.h>

using Hookgate::ConfigException;
using Hookgate::Settings;
using Hookgate::StaticFileHandler;
using Hookgate::StaticFiles;

namespace {

void writeFile(const std::string& path, const std::string& text)
{
	Poco::File(Poco::Path(path).parent()).createDirectories();
	Poco::FileOutputStream out(path);
	out << text;
}

std::string readFile(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

/// A temporary folder with a web root inside (`<dir>/web`) and a secret beside it (`<dir>/secret.txt`).
struct WebFolder
{
	Poco::TemporaryFile dir;
	std::string root;

	WebFolder()
	{
		dir.createDirectories();
		root = Poco::Path(dir.path(), "web").toString();
		writeFile(root + "/index.html", "<!doctype html><title>Hookgate</title>");
		writeFile(root + "/app.css", "body { margin: 0; }");
		writeFile(root + "/js/app.js", "export const x = 1;\n");
		writeFile(root + "/data.json", "{}");
		writeFile(root + "/.hidden", "hidden");
		writeFile(dir.path() + "/secret.txt", "do not serve");
		REQUIRE(::symlink((dir.path() + "/secret.txt").c_str(), (root + "/link-outside.txt").c_str()) == 0);
		REQUIRE(::symlink((root + "/app.css").c_str(), (root + "/link-inside.css").c_str()) == 0);
		writeFile(dir.path() + "/other/secret.txt", "do not serve either");
		REQUIRE(::symlink((dir.path() + "/other").c_str(), (root + "/other").c_str()) == 0);
	}
};

} // namespace

TEST_CASE("Paths of static files are decoded safely and never leave the web root", "[static]")
{
	CHECK(StaticFiles::relativePath("/") == std::optional<std::string>("index.html"));
	CHECK(StaticFiles::relativePath("/js/app.js?v=2") == std::optional<std::string>("js/app.js"));
	CHECK(StaticFiles::relativePath("/js/") == std::optional<std::string>("js/index.html"));
	CHECK(StaticFiles::relativePath("/a%20b.css") == std::optional<std::string>("a b.css"));
	for (const std::string refused : {"", "js/app.js", "/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt",
			 "/%2E%2E/secret.txt", "/js/..%2fapp.js", "/js%2f..%2f..%2fsecret.txt", "//etc/passwd", "/%2Fetc/passwd", "/.hidden",
			 "/./index.html", "/js/./app.js", "/index.html%00.css", "/%zz", "/%2", "/a%5Cb", "/C:/x", "http://host/index.html"})
	{
		INFO("path: " << refused);
		CHECK_FALSE(StaticFiles::relativePath(refused).has_value());
	}

	WebFolder web;
	StaticFiles files(web.root);
	for (const std::string uri : {"/../secret.txt", "/%2e%2e/secret.txt", "/link-outside.txt", "/other/secret.txt", "/.hidden",
			 "/js", "/js/", "/nothing.html", "/index.html/"})
	{
		INFO("uri: " << uri);
		const StaticFiles::Reply reply = files.respond("GET", uri);
		CHECK(reply.status == 404);
		CHECK(reply.errorCode == "not_found");
		CHECK(reply.body.empty());
	}
	CHECK(files.respond("GET", "/nothing.html").errorMessage == "no such path: GET /nothing.html");
	// A symlink that stays inside the root is served.
	const StaticFiles::Reply inside = files.respond("GET", "/link-inside.css");
	CHECK(inside.status == 200);
	CHECK(inside.body == "body { margin: 0; }");
}

TEST_CASE("The static files are served with the content type of their extension", "[static]")
{
	WebFolder web;
	StaticFiles files(web.root);
	const StaticFiles::Reply index = files.respond("GET", "/");
	CHECK(index.status == 200);
	CHECK(index.header("Content-Type") == "text/html; charset=utf-8");
	CHECK(index.body == readFile(web.root + "/index.html"));
	CHECK(files.respond("GET", "/index.html").body == index.body);
	CHECK(files.respond("GET", "/js/app.js").header("Content-Type") == "text/javascript; charset=utf-8");
	CHECK(files.respond("GET", "/app.css").header("Content-Type") == "text/css; charset=utf-8");
	CHECK(files.respond("GET", "/data.json").header("Content-Type") == "application/json; charset=utf-8");
	CHECK(StaticFiles::contentType("logo.svg") == "image/svg+xml; charset=utf-8");
	CHECK(StaticFiles::contentType("logo.PNG") == "image/png");
	CHECK(StaticFiles::contentType("favicon.ico") == "image/x-icon");
	CHECK(StaticFiles::contentType("module.mjs") == "text/javascript; charset=utf-8");
	CHECK(StaticFiles::contentType("archive.tar") == "application/octet-stream");
}

TEST_CASE("A static file is revalidated by its ETag and a matching If-None-Match is answered 304 without a body", "[static]")
{
	WebFolder web;
	StaticFiles files(web.root);
	const StaticFiles::Reply first = files.respond("GET", "/js/app.js");
	REQUIRE(first.status == 200);
	const std::string etag = first.header("ETag");
	CHECK(Poco::RegularExpression("^\"[0-9A-F]+-[0-9A-F]+\"$").match(etag));
	CHECK(first.header("Cache-Control") == "no-cache");
	CHECK_FALSE(first.header("Last-Modified").empty());

	for (const std::string ifNoneMatch : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")})
	{
		INFO("If-None-Match: " << ifNoneMatch);
		const StaticFiles::Reply again = files.respond("GET", "/js/app.js", ifNoneMatch);
		CHECK(again.status == 304);
		CHECK(again.body.empty());
		CHECK(again.size == first.body.size());
		CHECK(again.header("ETag") == etag);
		CHECK(again.header("Content-Security-Policy") == StaticFiles::CONTENT_SECURITY_POLICY);
	}
	CHECK(files.respond("GET", "/js/app.js", "\"other\"").status == 200);

	// A changed file gets another ETag.
	writeFile(web.root + "/js/app.js", "export const x = 22;\n");
	const StaticFiles::Reply changed = files.respond("GET", "/js/app.js", etag);
	CHECK(changed.status == 200);
	CHECK(changed.body == "export const x = 22;\n");
	CHECK(changed.header("ETag") != etag);
}

TEST_CASE("Every static file answer carries a Content-Security-Policy that forbids inline script, and nosniff", "[static]")
{
	const std::string& csp = StaticFiles::CONTENT_SECURITY_POLICY;
	CHECK(csp.find("script-src 'self'") != std::string::npos);
	CHECK(csp.find("default-src 'self'") != std::string::npos);
	CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
	CHECK(csp.find("unsafe-inline") == std::string::npos);
	CHECK(csp.find("unsafe-eval") == std::string::npos);

	WebFolder web;
	StaticFiles files(web.root);
	for (const auto& reply : {files.respond("GET", "/"), files.respond("GET", "/missing"), files.respond("POST", "/")})
	{
		INFO("status " << reply.status);
		CHECK(reply.header("Content-Security-Policy") == csp);
		CHECK(reply.header("X-Content-Type-Options") == "nosniff");
		CHECK(reply.header("Referrer-Policy") == "no-referrer");
	}
}

TEST_CASE("Only GET and HEAD are allowed on a static file, other methods get 405 and unknown files 404", "[static]")
{
	WebFolder web;
	StaticFiles files(web.root);
	CHECK(files.respond("HEAD", "/app.css").status == 200);
	for (const std::string method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
	{
		INFO(method);
		const StaticFiles::Reply reply = files.respond(method, "/app.css");
		CHECK(reply.status == 405);
		CHECK(reply.errorCode == "method_not_allowed");
		CHECK(reply.header("Allow") == "GET, HEAD");
		CHECK(files.respond(method, "/missing.css").status == 404);
	}
}

TEST_CASE("A static web root without index.html or that does not exist is refused naming the key", "[static]")
{
	const auto messageOf = [](const std::string& root) -> std::string
	{
		try
		{
			StaticFiles files(root);
		}
		catch (const ConfigException& e)
		{
			return e.message();
		}
		return "(no error)";
	};
	WebFolder web;
	const std::string missing = web.root + "/nope";
	CHECK(messageOf(missing) == "hookgate.web.root = '" + missing
		+ "': the dashboard's folder does not exist (set hookgate.web.root to the web/ folder, or empty to switch the dashboard off)");
	const std::string noIndex = web.root + "/js";
	CHECK(messageOf(noIndex) == "hookgate.web.root = '" + noIndex
		+ "': the folder has no index.html (set hookgate.web.root to the web/ folder, or empty to switch the dashboard off)");
	CHECK(messageOf(web.root) == "(no error)");
}

TEST_CASE("The API's paths are told apart from the dashboard's static files", "[static]")
{
	for (const std::string uri : {"/", "/index.html", "/js/app.js", "/healthz", "/apis", "/metrics/x", "/?token=x"})
	{
		INFO(uri);
		CHECK(StaticFiles::isDashboardPath(uri));
	}
	for (const std::string uri : {"/api", "/api/", "/api/v1/accounts", "/health", "/health?x=1", "/ready", "/metrics", "*", "http://h/"})
	{
		INFO(uri);
		CHECK_FALSE(StaticFiles::isDashboardPath(uri));
	}
}

namespace {

class StaticOnlyFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit StaticOnlyFactory(const StaticFiles& files): _files(files) {}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new StaticFileHandler(_files, 1024, Poco::Logger::get("test.static"));
	}

private:
	const StaticFiles& _files;
};

struct Answer
{
	int status = 0;
	std::string body;
	Poco::Net::HTTPResponse response;
};

Answer exchange(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& uri,
	const std::string& ifNoneMatch = "", const std::string& body = "")
{
	Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
	if (!ifNoneMatch.empty()) request.set("If-None-Match", ifNoneMatch);
	if (!body.empty())
	{
		request.setContentType("application/json");
		request.setContentLength(static_cast<std::streamsize>(body.size()));
	}
	session.sendRequest(request) << body;
	Answer answer;
	std::istream& in = session.receiveResponse(answer.response);
	std::ostringstream text;
	Poco::StreamCopier::copyStream(in, text);
	answer.status = answer.response.getStatus();
	answer.body = text.str();
	return answer;
}

std::string errorCode(const std::string& body)
{
	Poco::JSON::Parser parser;
	return parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getObject("error")->getValue<std::string>("code");
}

} // namespace

TEST_CASE("Over HTTP the static file handler sends files, 304, HEAD and JSON errors on one keep-alive connection", "[static]")
{
	WebFolder web;
	StaticFiles files(web.root);
	Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
	Poco::Net::HTTPServer server(new StaticOnlyFactory(files), socket, new Poco::Net::HTTPServerParams);
	server.start();
	Poco::Net::HTTPClientSession session("127.0.0.1", socket.address().port());
	session.setKeepAlive(true);
	session.setTimeout(Poco::Timespan(10, 0));

	const Answer index = exchange(session, "GET", "/");
	CHECK(index.status == 200);
	CHECK(index.body == readFile(web.root + "/index.html"));
	CHECK(index.response.getContentType() == "text/html; charset=utf-8");
	CHECK(index.response.get("Content-Security-Policy") == StaticFiles::CONTENT_SECURITY_POLICY);
	CHECK(index.response.get("X-Content-Type-Options") == "nosniff");
	const std::string etag = index.response.get("ETag");

	const Answer notModified = exchange(session, "GET", "/", etag);
	CHECK(notModified.status == 304);
	CHECK(notModified.body.empty());

	const Answer head = exchange(session, "HEAD", "/app.css");
	CHECK(head.status == 200);
	CHECK(head.body.empty());
	CHECK(head.response.getContentLength() == 19);

	const Answer post = exchange(session, "POST", "/app.css", "", "{\"a\":1}");
	CHECK(post.status == 405);
	CHECK(post.response.get("Allow") == "GET, HEAD");
	CHECK(errorCode(post.body) == "method_not_allowed");

	const Answer missing = exchange(session, "GET", "/%2e%2e/secret.txt");
	CHECK(missing.status == 404);
	CHECK(errorCode(missing.body) == "not_found");
	CHECK(missing.body.find("do not serve") == std::string::npos);

	const Answer css = exchange(session, "GET", "/app.css");
	CHECK(css.status == 200);
	CHECK(css.body == "body { margin: 0; }");
	server.stop();
}

TEST_CASE("The shipped static dashboard has no inline script, no inline event handlers and no innerHTML or eval", "[static]")
{
	const std::string root = std::string(HOOKGATE_SOURCE_DIR) + "/web";
	StaticFiles files(root);  // the repository's web/ has an index.html
	const std::string html = readFile(root + "/index.html");
	Poco::RegularExpression scriptTag("<script\\b[^>]*>", Poco::RegularExpression::RE_CASELESS);
	Poco::RegularExpression::Match match;
	std::string::size_type offset = 0;
	int scripts = 0;
	while (scriptTag.match(html, offset, match) > 0)
	{
		const std::string tag = html.substr(match.offset, match.length);
		INFO(tag);
		CHECK(tag.find("src=") != std::string::npos);
		CHECK(html.compare(match.offset + match.length, 9, "</script>") == 0);
		offset = match.offset + match.length;
		++scripts;
	}
	CHECK(scripts >= 1);
	CHECK_FALSE(Poco::RegularExpression("\\son[a-z]+\\s*=", Poco::RegularExpression::RE_CASELESS).match(html));
	CHECK(html.find("style=") == std::string::npos);

	int modules = 0;
	for (Poco::DirectoryIterator it(root + "/js"), end; it != end; ++it)
	{
		if (Poco::Path(it.name()).getExtension() != "js") continue;
		const std::string source = readFile(it->path());
		INFO(it.name());
		CHECK(source.find("innerHTML") == std::string::npos);
		CHECK(source.find("outerHTML") == std::string::npos);
		CHECK(source.find("insertAdjacentHTML") == std::string::npos);
		CHECK(source.find("eval(") == std::string::npos);
		CHECK(source.find("new Function") == std::string::npos);
		CHECK(source.find("document.write") == std::string::npos);
		++modules;
	}
	CHECK(modules >= 3);
}

TEST_CASE("hookgate.web.root defaults to the static folder web beside the templates and resolves like every path", "[static]")
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> c(new Poco::Util::MapConfiguration);
	c->setString("hookgate.api.adminToken", "a-long-admin-token");
	Settings s = Settings::load(*c, "/srv/hookgate/etc");
	CHECK(s.webRoot == "/srv/hookgate/web");
	CHECK_FALSE(s.webRootConfigured);
	c->setString("hookgate.templates.dir", "/usr/local/share/hookgate/templates/");
	CHECK(Settings::load(*c, "/srv/hookgate/etc").webRoot == "/usr/local/share/hookgate/web");
	c->setString("hookgate.web.root", "../dashboard");
	s = Settings::load(*c, "/srv/hookgate/etc");
	CHECK(s.webRoot == "/srv/hookgate/dashboard");
	CHECK(s.webRootConfigured);
	c->setString("hookgate.web.root", "");
	s = Settings::load(*c, "/srv/hookgate/etc");
	CHECK(s.webRoot.empty());
	CHECK(s.webRootConfigured);
}

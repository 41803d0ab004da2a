// The whole API: raw HTTP request bytes, over a loopback connection, through the connection's
// framing, the router and the handlers, on a SQLite store in a temporary folder. The server
// runs in this process (its threads are instrumented too); an account "acme" with an endpoint
// and an event exists, and the admin token is FUZZ_TOKEN, so seeds reach deep into the handlers.
// Every 5,000 inputs the store starts afresh, so that it does not grow without bound.
#include "gateway/core/EventCatalog.h"
#include "gateway/core/Metrics.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/config/Settings.h"
#include "gateway/core/SystemClock.h"
#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiRequestHandler.h"
#include "gateway/api/ApiServer.h"
#include "gateway/store/SQLiteStore.h"

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/TemporaryFile.h>
#include <Poco/File.h>

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>

using namespace Hookgate;

namespace {

const std::string FUZZ_TOKEN = "fuzz-admin-token";

Settings fuzzSettings()
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
	config->setString("hookgate.api.adminToken", FUZZ_TOKEN);
	config->setString("hookgate.templates.dir", HOOKGATE_SOURCE_DIR "/templates");
	config->setString("hookgate.web.root", "");
	config->setString("hookgate.security.allowPrivateDestinations", "true");
	config->setString("hookgate.http.headerTimeout", "2s");
	config->setString("hookgate.http.bodyTimeout", "2s");
	return Settings::load(*config, HOOKGATE_SOURCE_DIR "/etc");
}

struct Gateway
{
	Gateway():
		store(storeOptions(folder)),
		catalog(settings.extraEventTypes),
		payloads(settings.templatesDir),
		socket(Poco::Net::SocketAddress("127.0.0.1", 0)),
		ingest(store, catalog, payloads, clock, metrics, settings.payloadSource, [] {}),
		endpoints(store, catalog, payloads, clock, EndpointService::Options{settings.planLimits, settings.allowPrivateDestinations}, [] {}),
		replays(store, clock, metrics, [] {}),
		accounts(store, clock, settings.planLimits, [] {}),
		context{store, settings, catalog, payloads, clock, Poco::Logger::get("fuzz.api"), metrics, accounts, ingest, endpoints, replays, [] {}},
		server(new ApiRequestHandlerFactory(context), socket, params(), ApiConnectionShared::Limits{1000, 1000,
			Poco::Timespan(2, 0), Poco::Timespan(2, 0)}, metrics, Poco::Logger::get("fuzz.http"))
	{
		server.start();
		context.ready = true;
		Account acme{"acme", "ACME", "enterprise", false, clock.now(), 0};
		store.createAccount(acme);
		Endpoint endpoint;
		endpoint.id = "ep_fuzz";
		endpoint.accountId = "acme";
		endpoint.url = "http://127.0.0.1:9/hook";
		endpoint.eventTypes = {"*"};
		endpoint.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
		store.createEndpoint(endpoint, 100);
	}
	~Gateway()
	{
		server.stopAll(Poco::Timespan(1, 0));
		store.close();
	}

	static SQLiteStore::Options storeOptions(Poco::TemporaryFile& folder)
	{
		folder.createDirectories();
		SQLiteStore::Options o;
		o.path = folder.path() + "/hookgate.db";
		o.synchronous = "NORMAL";
		return o;
	}
	static Poco::Net::HTTPServerParams::Ptr params()
	{
		Poco::Net::HTTPServerParams::Ptr p(new Poco::Net::HTTPServerParams);
		p->setMaxThreads(4);
		p->setKeepAlive(true);
		p->setTimeout(Poco::Timespan(3, 0));
		return p;
	}

	Poco::TemporaryFile folder;
	Settings settings = fuzzSettings();
	SQLiteStore store;
	EventCatalog catalog;
	PayloadBuilder payloads;
	SystemClock clock;
	Metrics metrics;
	Poco::Net::ServerSocket socket;
	IngestService ingest;
	EndpointService endpoints;
	ReplayService replays;
	AccountService accounts;
	ApiContext context;
	ApiServer server;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static std::unique_ptr<Gateway> gateway;
	static unsigned inputs = 0;
	if (!gateway || ++inputs % 5000 == 0)
	{
		std::signal(SIGPIPE, SIG_IGN);  // a client write to a connection the server closed
		gateway.reset();
		gateway = std::make_unique<Gateway>();
	}
	Poco::Net::StreamSocket client;
	client.connect(gateway->socket.address(), Poco::Timespan(2, 0));
	client.setReceiveTimeout(Poco::Timespan(5, 0));
	try
	{
		std::size_t sent = 0;
		while (sent < size)
		{
			const int n = client.sendBytes(data + sent, static_cast<int>(std::min<std::size_t>(size - sent, 65536)));
			if (n <= 0) break;
			sent += static_cast<std::size_t>(n);
		}
		client.shutdownSend();
		char buffer[8192];
		while (client.receiveBytes(buffer, sizeof(buffer)) > 0)
		{
		}
	}
	catch (const Poco::Exception&)
	{
		// The server may close the connection before it has read everything (a refused request).
	}
	return 0;
}

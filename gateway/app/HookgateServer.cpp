#include "gateway/app/HookgateServer.h"
#include "gateway/config/DeclaredAccounts.h"
#include "gateway/delivery/Dispatcher.h"
#include "gateway/core/Duration.h"
#include "gateway/core/EventCatalog.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/delivery/RetentionSweeper.h"
#include "gateway/delivery/RetryPolicy.h"
#include "gateway/core/SystemClock.h"
#include "gateway/config/ConfigFile.h"
#include "gateway/api/ApiContext.h"
#include "gateway/api/ApiRequestHandler.h"
#include "gateway/api/ApiServer.h"
#include "gateway/api/StaticFiles.h"
#include "gateway/store/PostgreSQLStore.h"
#include "gateway/store/SQLiteStore.h"
#include "transports/HTTPTransport.h"
#include "transports/PickupTransport.h"
#include "transports/SMTPTransport.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/File.h>
#include <Poco/FileChannel.h>
#include <Poco/FileStream.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Process.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/LoggingConfigurator.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <iostream>
#include <memory>

namespace Hookgate {

void HookgateServer::defineOptions(Poco::Util::OptionSet& options)
{
	ServerApplication::defineOptions(options);
	options.addOption(Poco::Util::Option("help", "h", "show the options and exit").required(false).repeatable(false));
	options.addOption(Poco::Util::Option("config", "c", "the properties file (e.g. etc/hookgate.properties)")
		.required(false).repeatable(false).argument("FILE"));
}

void HookgateServer::handleOption(const std::string& name, const std::string& value)
{
	ServerApplication::handleOption(name, value);
	if (name == "help")
	{
		_helpRequested = true;
		stopOptionsProcessing();
	}
	else if (name == "config")
	{
		_configFile = value;
	}
}

void HookgateServer::displayHelp()
{
	Poco::Util::HelpFormatter help(options());
	help.setCommand(commandName());
	help.setUsage("--config=FILE [--daemon --pidfile=FILE]");
	help.setHeader("Hookgate " HOOKGATE_VERSION " - a self-hosted webhook gateway: signed HTTP delivery with retries, a delivery log, replay.");
	help.setFooter("See docs/configuration.md and etc/hookgate.properties for the configuration keys.");
	help.format(std::cout);
}

void HookgateServer::initialize(Poco::Util::Application& self)
{
	ServerApplication::initialize(self);
	if (_helpRequested) return;
	try
	{
		if (_configFile.empty())
		{
			// A Windows service gets no command line when the system starts it: look beside the executable.
			const std::string dir = config().getString("application.dir", "");
			for (const std::string candidate : {"hookgate.properties", "../etc/hookgate.properties"})
			{
				if (!dir.empty() && Poco::File(Poco::Path(dir).makeDirectory().resolve(candidate)).exists())
				{
					_configFile = Poco::Path(dir).makeDirectory().resolve(candidate).toString();
					break;
				}
			}
		}
		if (_configFile.empty())
			throw ConfigException("no configuration: start with --config=FILE (see --help), or put hookgate.properties beside the executable");
		const ConfigFile file(_configFile);
		file.checkKeys();
		_applicationKeys = file.applicationKeys();
		config().add(file.configuration(), "hookgate-file", 0, false);
		_settings = Settings::load(*file.configuration(), file.directory());
	}
	catch (const Poco::Exception& e)
	{
		_configError = e.message().empty() ? e.displayText() : e.message();
	}
}

void HookgateServer::setUpLogging()
{
	Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p [%s] %t"));
	Poco::AutoPtr<Poco::Channel> sink;
	if (_settings.logFile.empty())
	{
		sink = new Poco::ConsoleChannel;
	}
	else
	{
		Poco::File(Poco::Path(_settings.logFile).parent()).createDirectories();
		Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(_settings.logFile));
		file->setProperty("rotation", "10 M");
		file->setProperty("archive", "timestamp");
		file->setProperty("purgeCount", "5");
		file->setProperty("flush", "true");
		sink = file;
	}
	Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, sink));
	Poco::Logger::root().setChannel(channel);
	Poco::Logger::root().setLevel(_settings.logLevel);
	logger().setChannel(channel);
	logger().setLevel(_settings.logLevel);
}

void HookgateServer::writePortFile(int port)
{
	if (_settings.portFile.empty()) return;
	const std::string temp = _settings.portFile + ".tmp";
	{
		Poco::FileOutputStream out(temp);
		out << port << "\n";
		out.close();
	}
	Poco::File(temp).renameTo(_settings.portFile);
}

int HookgateServer::main(const std::vector<std::string>&)
{
	if (_helpRequested)
	{
		displayHelp();
		return EXIT_OK;
	}
	if (!_configError.empty())
	{
		std::cerr << "hookgate: configuration error: " << _configError << std::endl;
		return EXIT_CONFIG_ERROR;
	}
	setUpLogging();
	// Poco's own logging keys (logging.loggers.*, .channels.*, .formatters.*) refine the gateway's
	// logging, before any of its loggers is made (a logger takes its parent's level when made).
	Poco::Util::AbstractConfiguration::Keys loggingKeys;
	config().keys("logging", loggingKeys);
	if (!loggingKeys.empty())
	{
		try
		{
			Poco::Util::LoggingConfigurator().configure(Poco::Util::AbstractConfiguration::Ptr(&config(), true));
		}
		catch (const Poco::Exception& e)
		{
			std::cerr << "hookgate: configuration error: logging.*: " << e.displayText() << std::endl;
			return EXIT_CONFIG_ERROR;
		}
	}
	Poco::Logger& log = Poco::Logger::get("hookgate");
	if (_settings.usesShippedAdminToken())
		log.warning("hookgate.api.adminToken is the example token of the shipped file: anybody who can read that file can "
			"administer this gateway; accepted only because it listens on %s (loopback). Set a token of your own.", _settings.httpAddress);
	for (const auto& key : _applicationKeys)
		log.warning("%s is set by Poco at start; its value in the configuration file has no effect", key);

	// Listen first: a second gateway on the same port stops here, before it touches the store.
	Poco::Net::ServerSocket socket;
	try
	{
		// SO_REUSEADDR (restart while old connections linger) but not SO_REUSEPORT: a second
		// gateway on the same port must fail, not share it silently.
		socket.bind(Poco::Net::SocketAddress(_settings.httpAddress, static_cast<Poco::UInt16>(_settings.httpPort)), true, false);
		socket.listen(256);
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "hookgate: cannot listen on " << _settings.httpAddress << ":" << _settings.httpPort
			<< " (hookgate.http.address / hookgate.http.port): " << e.displayText() << std::endl;
		return EXIT_UNAVAILABLE;
	}

	// What can fail at once is checked: a daemon detaches now, before any thread is started. Its
	// launcher waits until it is ready (below) and passes on any error that ends it before.
	if (_daemonize)
	{
		try
		{
			_daemon.detach();
		}
		catch (const Poco::Exception& e)
		{
			std::cerr << "hookgate: cannot become a daemon: " << e.displayText() << std::endl;
			return EXIT_OSERR;
		}
	}
	if (!_pidFilePath.empty())
	{
		try
		{
			_pidFile = std::make_unique<PidFile>(_pidFilePath);
		}
		catch (const Poco::Exception& e)
		{
			std::cerr << "hookgate: cannot write the pid file " << _pidFilePath << " (--pidfile): " << e.displayText() << std::endl;
			return EXIT_CANTCREAT;
		}
	}

	std::unique_ptr<Store> store;
	PostgreSQLStore* postgres = nullptr;  // the same store, when it is PostgreSQL (wake-ups across nodes)
	const std::string storeName = _settings.storeType == "postgresql" ? std::string("postgresql") : _settings.sqlitePath;
	try
	{
		if (_settings.storeType == "postgresql")
		{
			PostgreSQLStore::Options options;
			options.connection = _settings.postgresqlConnection;
			auto pg = std::make_unique<PostgreSQLStore>(options);
			postgres = pg.get();
			store = std::move(pg);
		}
		else
		{
			SQLiteStore::Options options;
			options.path = _settings.sqlitePath;
			options.synchronous = _settings.sqliteSynchronous;
			store = std::make_unique<SQLiteStore>(options);
		}
		store->releaseClaims();
	}
	catch (const Poco::Exception& e)
	{
		// Not the connection string: it may hold a password.
		std::cerr << "hookgate: cannot open the store "
			<< (_settings.storeType == "postgresql" ? std::string("(hookgate.store.postgresql.connection)")
				: _settings.sqlitePath + " (hookgate.store.sqlite.path)")
			<< ": " << e.displayText() << std::endl;
		return EXIT_CANTCREAT;
	}

	SystemClock clock;
	EventCatalog catalog(_settings.extraEventTypes);
	std::unique_ptr<PayloadBuilder> payloadBuilderPtr;
	try
	{
		payloadBuilderPtr = std::make_unique<PayloadBuilder>(_settings.templatesDir);
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "hookgate: configuration error: payload template (hookgate.templates.dir = " << _settings.templatesDir
			<< "): " << (e.message().empty() ? e.displayText() : e.message()) << std::endl;
		return EXIT_CONFIG_ERROR;
	}
	const PayloadBuilder& payloadBuilder = *payloadBuilderPtr;
	EmailTemplates emailTemplates;
	try
	{
		emailTemplates.load(_settings.templatesDir);
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "hookgate: configuration error: email template (hookgate.templates.dir = " << _settings.templatesDir
			<< "): " << e.message() << std::endl;
		return EXIT_CONFIG_ERROR;
	}
	// The dashboard (web/): a folder set in hookgate.web.root must hold it; the default one
	// (web/ beside the templates) may be missing, which only switches the dashboard off.
	std::unique_ptr<StaticFiles> dashboard;
	if (!_settings.webRoot.empty())
	{
		try
		{
			dashboard = std::make_unique<StaticFiles>(_settings.webRoot);
		}
		catch (const ConfigException& e)
		{
			if (_settings.webRootConfigured)
			{
				std::cerr << "hookgate: configuration error: " << e.message() << std::endl;
				return EXIT_CONFIG_ERROR;
			}
			log.warning("no dashboard: %s", e.message());
		}
	}
	RetryPolicy retryPolicy(_settings.retrySchedule, _settings.jitter, _settings.maxRetryAfter);

	try
	{
		DeclaredAccounts::apply(config(), *store, _settings, catalog, payloadBuilder, clock, log);
	}
	catch (const ConfigException& e)
	{
		std::cerr << "hookgate: configuration error: " << e.message() << std::endl;
		return EXIT_CONFIG_ERROR;
	}
	// Endpoints stored earlier may name a template that is no longer there: say so now,
	// not with every event.
	for (const auto& account : store->accounts())
	{
		for (const auto& endpoint : store->endpoints(account.id))
		{
			if (payloadBuilder.hasHierarchy(endpoint.hierarchy)) continue;
			std::cerr << "hookgate: configuration error: endpoint " << endpoint.id << " of account '" << account.id
				<< "' uses the hierarchy '" << endpoint.hierarchy << "', which is not in " << _settings.templatesDir
				<< "/hierarchy/ (hookgate.templates.dir); restore the template file (the endpoint can then be changed through the API)" << std::endl;
			return EXIT_CONFIG_ERROR;
		}
	}

	HTTPTransport::Options httpOptions;
	httpOptions.caFile = _settings.httpCaFile;
	httpOptions.allowPrivateDestinations = _settings.allowPrivateDestinations;
	HTTPTransport http(httpOptions);

	// Email: a mail server (smtp) or .eml files in a folder (pickup).
	std::unique_ptr<Transport> email;
	try
	{
		if (_settings.smtpMode == "smtp")
		{
			SMTPTransport::Options o;
			o.host = _settings.smtpHost;
			o.port = static_cast<Poco::UInt16>(_settings.smtpPort);
			o.tls = _settings.smtpTls;
			o.username = _settings.smtpUsername;
			o.password = _settings.smtpPassword;
			o.from = _settings.smtpFrom;
			o.caFile = _settings.smtpCaFile;
			o.maxIdle = static_cast<std::size_t>(_settings.workers);  // one kept connection per worker
			email = std::make_unique<SMTPTransport>(o);
		}
		else
		{
			PickupTransport::Options o;
			o.directory = _settings.smtpPickupDir;
			o.from = _settings.smtpFrom;
			email = std::make_unique<PickupTransport>(o);
		}
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "hookgate: configuration error: hookgate.smtp.* (mode " << _settings.smtpMode << "): " << e.message() << std::endl;
		return EXIT_CONFIG_ERROR;
	}

	Dispatcher::Options dispatcherOptions;
	dispatcherOptions.workers = _settings.workers;
	dispatcherOptions.maxInFlight = _settings.maxInFlight;
	dispatcherOptions.timeout = _settings.timeout;
	dispatcherOptions.pollInterval = _settings.pollInterval;
	dispatcherOptions.leaseTime = _settings.leaseTime;
	dispatcherOptions.waitForRecords = false;
	Metrics metrics;
	Dispatcher dispatcher(*store, {{"http", &http}, {"email", email.get()}}, clock, retryPolicy, emailTemplates, dispatcherOptions,
		Poco::Logger::get("hookgate.dispatcher"), &metrics);

	const auto wakeDispatcher = [&dispatcher] { dispatcher.wake(); };
	IngestService ingest(*store, catalog, payloadBuilder, clock, metrics, _settings.payloadSource, wakeDispatcher);
	EndpointService endpoints(*store, catalog, payloadBuilder, clock,
		EndpointService::Options{_settings.planLimits, _settings.allowPrivateDestinations}, wakeDispatcher);
	ReplayService replays(*store, clock, metrics, wakeDispatcher);
	AccountService accounts(*store, clock, _settings.planLimits, wakeDispatcher);
	ApiContext context{*store, _settings, catalog, payloadBuilder, clock, Poco::Logger::get("hookgate.api"), metrics, accounts,
		ingest, endpoints, replays, wakeDispatcher};
	Readiness readiness(*store, clock);
	context.readiness = &readiness;
	RetentionSweeper sweeper(*store, clock, _settings.retentionPeriod, _settings.sweepInterval, Poco::Logger::get("hookgate.retention"));

	Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
	params->setMaxThreads(_settings.httpThreads);
	// Never full: the ConnectionLimiter refuses past maxConnections before a connection is queued.
	params->setMaxQueued(_settings.maxConnections + 16);
	params->setKeepAlive(true);
	params->setKeepAliveTimeout(_settings.keepAliveTimeout);
	// Per read; the whole head and body have their own deadlines (ConnectionWatchdog).
	params->setTimeout(std::max(_settings.headerTimeout, _settings.bodyTimeout) + Poco::Timespan(1, 0));
	params->setServerName("hookgate/" HOOKGATE_VERSION);
	ApiConnectionShared::Limits limits;
	limits.maxConnections = _settings.maxConnections;
	limits.maxConnectionsPerClient = _settings.maxConnectionsPerClient;
	limits.headerTimeout = _settings.headerTimeout;
	limits.bodyTimeout = _settings.bodyTimeout;
	ApiServer server(new ApiRequestHandlerFactory(context, dashboard.get()), socket, params, limits, metrics,
		Poco::Logger::get("hookgate.http"));

	dispatcher.start();
	// Deliveries that other nodes on the same database ingest are picked up at once, not at the next poll.
	if (postgres) postgres->listen([&dispatcher] { dispatcher.wake(); });
	sweeper.start();
	server.start();
	context.ready = true;
	const int port = socket.address().port();
	writePortFile(port);
	log.information("hookgate %s listening on %s:%d (pid %d), store %s", std::string(HOOKGATE_VERSION), _settings.httpAddress,
		port, static_cast<int>(Poco::Process::id()), storeName);
	if (dashboard) log.information("dashboard on http://%s:%d/ (files from %s)", _settings.httpAddress, port, dashboard->root());
	_daemon.ready();

	waitForTerminationRequest();

	log.information("stopping: no new requests; waiting for attempts in flight (at most %s, hookgate.shutdown.grace)",
		Duration::format(_settings.shutdownGrace));
	context.ready = false;
	const Poco::Timestamp stopping;
	if (const int left = server.stopAll(_settings.shutdownGrace))
		log.warning("stopping: %d API connection(s) did not end after the grace and their sockets were shut down", left);
	// The dispatcher gets what is left of the grace.
	const Poco::Timespan spent(stopping.elapsed());
	const Poco::Timespan dispatcherGrace = spent < _settings.shutdownGrace ? _settings.shutdownGrace - spent : Poco::Timespan(0);
	sweeper.stop();
	if (postgres) postgres->listen(nullptr);
	dispatcher.stop(dispatcherGrace);
	store->close();
	if (!_settings.portFile.empty())
	{
		try { Poco::File(_settings.portFile).remove(); } catch (...) {}
	}
	log.information("stopped cleanly");
	return EXIT_OK;
}

} // namespace Hookgate

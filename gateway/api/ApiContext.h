#pragma once

#include "gateway/core/AccountService.h"
#include "gateway/core/Clock.h"
#include "gateway/core/EndpointService.h"
#include "gateway/core/EventCatalog.h"
#include "gateway/core/IngestService.h"
#include "gateway/core/Metrics.h"
#include "gateway/payload/PayloadBuilder.h"
#include "gateway/core/Readiness.h"
#include "gateway/core/ReplayService.h"
#include "gateway/config/Settings.h"
#include "gateway/core/Store.h"

#include <Poco/Logger.h>

#include <atomic>
#include <functional>

namespace Hookgate {

/// What request handlers may use: a narrow context, never Application::instance().
struct ApiContext
{
	Store& store;
	const Settings& settings;
	const EventCatalog& catalog;
	const PayloadBuilder& payloadBuilder;
	const Clock& clock;
	Poco::Logger& logger;
	Metrics& metrics;
	AccountService& accounts;
	IngestService& ingest;
	EndpointService& endpoints;
	ReplayService& replays;
	std::function<void()> wakeDispatcher;
	std::atomic<bool> ready{false};  ///< false while starting or stopping: /health and /ready answer 503
	Readiness* readiness = nullptr;  ///< GET /ready: whether the store can write (null: not checked)
};

} // namespace Hookgate

#pragma once

#include "gateway/Clock.h"
#include "gateway/EventCatalog.h"
#include "gateway/Metrics.h"
#include "gateway/PayloadBuilder.h"
#include "gateway/Readiness.h"
#include "gateway/Settings.h"
#include "gateway/store/Store.h"

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
	std::function<void()> wakeDispatcher;
	std::atomic<bool> ready{false};  ///< false while starting or stopping: /health and /ready answer 503
	Readiness* readiness = nullptr;  ///< GET /ready: whether the store can write (null: not checked)
};

} // namespace Hookgate

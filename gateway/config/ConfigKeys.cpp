#include "gateway/config/ConfigKeys.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace Hookgate {

namespace {

const std::vector<std::string> KEYS = {
	"hookgate.http.address",
	"hookgate.http.port",
	"hookgate.http.portFile",
	"hookgate.http.caFile",
	"hookgate.http.threads",
	"hookgate.http.maxConnections",
	"hookgate.http.maxConnectionsPerClient",
	"hookgate.http.headerTimeout",
	"hookgate.http.bodyTimeout",
	"hookgate.http.keepAliveTimeout",
	"hookgate.api.adminToken",
	"hookgate.api.maxBodySize",
	"hookgate.store.type",
	"hookgate.store.sqlite.path",
	"hookgate.store.sqlite.synchronous",
	"hookgate.store.postgresql.connection",
	"hookgate.payload.source",
	"hookgate.events.types",
	"hookgate.templates.dir",
	"hookgate.web.root",
	"hookgate.delivery.workers",
	"hookgate.delivery.maxInFlight",
	"hookgate.delivery.timeout",
	"hookgate.delivery.retrySchedule",
	"hookgate.delivery.jitter",
	"hookgate.delivery.pollInterval",
	"hookgate.delivery.maxRetryAfter",
	"hookgate.delivery.leaseTime",
	"hookgate.shutdown.grace",
	"hookgate.security.allowPrivateDestinations",
	"hookgate.smtp.mode",
	"hookgate.smtp.pickupDir",
	"hookgate.smtp.host",
	"hookgate.smtp.port",
	"hookgate.smtp.tls",
	"hookgate.smtp.username",
	"hookgate.smtp.password",
	"hookgate.smtp.from",
	"hookgate.smtp.caFile",
	"hookgate.retention.period",
	"hookgate.retention.sweepInterval",
	"hookgate.plans.basic.endpoints",
	"hookgate.plans.professional.endpoints",
	"hookgate.plans.business.endpoints",
	"hookgate.plans.enterprise.endpoints",
	"hookgate.logging.level",
	"hookgate.logging.file",
	"hookgate.accounts.*.name",
	"hookgate.accounts.*.plan",
	"hookgate.accounts.*.webhooksEnabled",
	"hookgate.accounts.*.endpoints.*.url",
	"hookgate.accounts.*.endpoints.*.email",
	"hookgate.accounts.*.endpoints.*.authHeader.key",
	"hookgate.accounts.*.endpoints.*.authHeader.value",
	"hookgate.accounts.*.endpoints.*.eventTypes",
	"hookgate.accounts.*.endpoints.*.hierarchy",
	"hookgate.accounts.*.endpoints.*.description",
	"hookgate.accounts.*.endpoints.*.enabled",
	"hookgate.accounts.*.endpoints.*.maxInFlight",
	"hookgate.accounts.*.endpoints.*.rateLimit",
	"hookgate.accounts.*.endpoints.*.secret",
};

std::vector<std::string> segments(const std::string& key)
{
	std::vector<std::string> out;
	std::size_t start = 0;
	for (;;)
	{
		const std::size_t dot = key.find('.', start);
		out.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
		if (dot == std::string::npos) return out;
		start = dot + 1;
	}
}

/// The table's key with each `*` replaced by key's segment at the same place (when key has one).
std::string instantiate(const std::string& pattern, const std::vector<std::string>& keySegments)
{
	const auto parts = segments(pattern);
	std::string out;
	for (std::size_t i = 0; i < parts.size(); ++i)
	{
		if (i) out += '.';
		out += parts[i] == "*" && i < keySegments.size() && !keySegments[i].empty() ? keySegments[i] : parts[i];
	}
	return out;
}

bool matchesSegments(const std::string& pattern, const std::vector<std::string>& keySegments)
{
	const auto parts = segments(pattern);
	if (parts.size() != keySegments.size()) return false;
	for (std::size_t i = 0; i < parts.size(); ++i)
	{
		if (parts[i] == "*" ? keySegments[i].empty() : parts[i] != keySegments[i]) return false;
	}
	return true;
}

/// Levenshtein distance, case-insensitive (a wrong case is one of the commonest slips, and
/// counts as one edit per letter all the same: `hookgate.HTTP.port` is near `hookgate.http.port`).
std::size_t distance(const std::string& a, const std::string& b)
{
	std::vector<std::size_t> row(b.size() + 1);
	for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
	for (std::size_t i = 1; i <= a.size(); ++i)
	{
		std::size_t diagonal = row[0];
		row[0] = i;
		for (std::size_t j = 1; j <= b.size(); ++j)
		{
			const std::size_t above = row[j];
			const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
			diagonal = above;
		}
	}
	return row[b.size()];
}

} // namespace

const std::vector<std::string>& ConfigKeys::all()
{
	return KEYS;
}

bool ConfigKeys::known(const std::string& key)
{
	const auto keySegments = segments(key);
	return std::any_of(KEYS.begin(), KEYS.end(), [&](const std::string& k) { return matchesSegments(k, keySegments); });
}

bool ConfigKeys::matches(const std::string& pattern, const std::string& key)
{
	return matchesSegments(pattern, segments(key));
}

bool ConfigKeys::poco(const std::string& key)
{
	// (Only the parts LoggingConfigurator reads: anything else under logging. would be ignored.)
	for (const char* prefix : {"logging.loggers.", "logging.channels.", "logging.formatters.", "application."})
		if (key.rfind(prefix, 0) == 0) return true;
	return false;
}

std::string ConfigKeys::nearest(const std::string& key)
{
	const auto keySegments = segments(key);
	std::string best;
	std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
	for (const auto& pattern : KEYS)
	{
		const std::string candidate = instantiate(pattern, keySegments);
		const std::size_t d = distance(key, candidate);
		if (d < bestDistance)
		{
			bestDistance = d;
			best = candidate;
		}
	}
	// Near enough to be a slip: a few edits, and fewer than a third of the key's length.
	// (Distance 0 is a key that differs in case only.)
	if (best == key || bestDistance > 4 || bestDistance * 3 > key.size()) return "";
	return best;
}

} // namespace Hookgate

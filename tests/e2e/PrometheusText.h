#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace Hookgate {
namespace Test {

/// A small parser and checker of the Prometheus text exposition format
/// (version 0.0.4), written for the tests independently of the gateway:
///
///     # HELP <name> <text>
///     # TYPE <name> counter|gauge|histogram|summary|untyped
///     <name>[{<label>="<value>",...}] <value> [<timestamp ms>]
///
/// It records every violation it finds in `errors` (with the line number):
/// malformed lines, invalid names, label values or numbers, a sample whose
/// family has no TYPE, a TYPE after the family's samples or twice, samples
/// of a family not grouped together, duplicate series, negative counters,
/// and histograms whose buckets are not cumulative, do not end in le="+Inf",
/// or whose +Inf bucket differs from _count (or that lack _count or _sum).
class PrometheusText
{
public:
	using Labels = std::map<std::string, std::string>;

	struct Sample
	{
		std::string name;
		Labels labels;
		double value = 0;
		std::string family;    ///< the TYPE name it belongs to, "" when none
		int line = 0;
	};

	static PrometheusText parse(const std::string& text);

	bool ok() const { return errors.empty(); }
	std::string errorText() const;
		/// All errors, one a line.

	std::optional<double> value(const std::string& name, const Labels& labels = Labels()) const;
		/// The sample with exactly this name and label set.
	std::string typeOf(const std::string& family) const;
		/// The TYPE of a family, "" when not declared.
	std::vector<Sample> samplesOf(const std::string& name) const;
		/// All samples with this exact name.

	std::map<std::string, std::string> types;   ///< family -> type
	std::map<std::string, std::string> helps;   ///< family -> help text
	std::vector<Sample> samples;
	std::vector<std::string> errors;
};

} } // namespace Hookgate::Test

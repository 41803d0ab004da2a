#include "PrometheusText.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

namespace Hookgate {
namespace Test {

namespace {

const std::regex METRIC_NAME(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*$)");
const std::regex LABEL_NAME(R"(^[a-zA-Z_][a-zA-Z0-9_]*$)");
const std::regex NUMBER(R"(^[+-]?((\d+(\.\d*)?)|(\.\d+))([eE][+-]?\d+)?$)");
const std::regex TIMESTAMP(R"(^-?\d+$)");

bool isSpace(char c)
{
	return c == ' ' || c == '\t';
}

bool parseValue(const std::string& text, double& value)
{
	if (text == "+Inf" || text == "Inf") { value = std::numeric_limits<double>::infinity(); return true; }
	if (text == "-Inf") { value = -std::numeric_limits<double>::infinity(); return true; }
	if (text == "NaN") { value = std::numeric_limits<double>::quiet_NaN(); return true; }
	if (!std::regex_match(text, NUMBER)) return false;
	value = std::strtod(text.c_str(), nullptr);
	return true;
}

std::string seriesKey(const std::string& name, const PrometheusText::Labels& labels, const std::string& without = std::string())
{
	std::string key = name + "{";
	for (const auto& label: labels)
		if (label.first != without) key += label.first + "=\"" + label.second + "\",";
	return key + "}";
}

bool endsWith(const std::string& text, const std::string& suffix)
{
	return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Parses `name{labels} value [timestamp]`; "" on success, else what is wrong.
std::string parseSample(const std::string& line, PrometheusText::Sample& sample)
{
	std::size_t i = 0;
	while (i < line.size() && !isSpace(line[i]) && line[i] != '{') ++i;
	sample.name = line.substr(0, i);
	if (!std::regex_match(sample.name, METRIC_NAME)) return "invalid metric name '" + sample.name + "'";
	if (i < line.size() && line[i] == '{')
	{
		++i;
		while (true)
		{
			if (i < line.size() && line[i] == '}') { ++i; break; }
			std::size_t start = i;
			while (i < line.size() && line[i] != '=' && line[i] != '}' && line[i] != ',') ++i;
			const std::string labelName = line.substr(start, i - start);
			if (!std::regex_match(labelName, LABEL_NAME)) return "invalid label name '" + labelName + "'";
			if (i >= line.size() || line[i] != '=') return "label '" + labelName + "' without '='";
			++i;
			if (i >= line.size() || line[i] != '"') return "value of label '" + labelName + "' not quoted";
			++i;
			std::string labelValue;
			bool closed = false;
			while (i < line.size())
			{
				const char c = line[i++];
				if (c == '"') { closed = true; break; }
				if (c == '\\')
				{
					if (i >= line.size()) break;
					const char e = line[i++];
					if (e == '\\') labelValue += '\\';
					else if (e == '"') labelValue += '"';
					else if (e == 'n') labelValue += '\n';
					else return std::string("invalid escape \\") + e + " in label '" + labelName + "'";
				}
				else
				{
					labelValue += c;
				}
			}
			if (!closed) return "unterminated value of label '" + labelName + "'";
			if (sample.labels.count(labelName)) return "label '" + labelName + "' twice";
			sample.labels[labelName] = labelValue;
			if (i < line.size() && line[i] == ',') { ++i; continue; }
			if (i < line.size() && line[i] == '}') { ++i; break; }
			return "expected ',' or '}' after label '" + labelName + "'";
		}
	}
	if (i >= line.size() || !isSpace(line[i])) return "no whitespace before the value";
	std::istringstream rest(line.substr(i));
	std::string valueText, timestampText, extra;
	rest >> valueText >> timestampText >> extra;
	if (!parseValue(valueText, sample.value)) return "invalid value '" + valueText + "'";
	if (!timestampText.empty() && !std::regex_match(timestampText, TIMESTAMP)) return "invalid timestamp '" + timestampText + "'";
	if (!extra.empty()) return "unexpected text after the timestamp: '" + extra + "'";
	return std::string();
}

} // namespace

PrometheusText PrometheusText::parse(const std::string& text)
{
	PrometheusText result;
	auto error = [&](int line, const std::string& message)
	{
		result.errors.push_back("line " + std::to_string(line) + ": " + message);
	};
	if (!text.empty() && text.back() != '\n') error(0, "the exposition does not end with a line feed");

	std::set<std::string> familiesSeen;       // families that had samples
	std::set<std::string> seriesSeen;
	std::string currentFamily;
	std::istringstream in(text);
	std::string line;
	int number = 0;
	while (std::getline(in, line))
	{
		++number;
		if (!line.empty() && line.back() == '\r')
		{
			error(number, "carriage return at the end of the line");
			line.pop_back();
		}
		if (line.empty()) continue;
		if (line[0] == '#')
		{
			std::istringstream words(line.substr(1));
			std::string keyword, name;
			words >> keyword >> name;
			if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
			if (!std::regex_match(name, METRIC_NAME))
			{
				error(number, keyword + " with invalid metric name '" + name + "'");
				continue;
			}
			std::string rest;
			std::getline(words, rest);
			const std::size_t first = rest.find_first_not_of(" \t");
			rest = first == std::string::npos ? std::string() : rest.substr(first);
			if (keyword == "HELP")
			{
				if (result.helps.count(name)) error(number, "second HELP for '" + name + "'");
				result.helps[name] = rest;
			}
			else
			{
				static const std::set<std::string> TYPES = {"counter", "gauge", "histogram", "summary", "untyped"};
				if (!TYPES.count(rest)) error(number, "TYPE of '" + name + "' is '" + rest + "', not a metric type");
				if (result.types.count(name)) error(number, "second TYPE for '" + name + "'");
				if (familiesSeen.count(name)) error(number, "TYPE for '" + name + "' after its samples");
				result.types[name] = rest;
			}
			continue;
		}

		Sample sample;
		sample.line = number;
		const std::string problem = parseSample(line, sample);
		if (!problem.empty())
		{
			error(number, problem + " in '" + line + "'");
			continue;
		}
		if (result.types.count(sample.name))
		{
			sample.family = sample.name;
		}
		else
		{
			for (const char* suffix: {"_bucket", "_sum", "_count"})
			{
				if (!endsWith(sample.name, suffix)) continue;
				const std::string base = sample.name.substr(0, sample.name.size() - std::string(suffix).size());
				const std::string type = result.typeOf(base);
				if (type == "histogram" || (type == "summary" && std::string(suffix) != "_bucket")) sample.family = base;
			}
		}
		if (sample.family.empty())
		{
			error(number, "sample '" + sample.name + "' has no TYPE line for its family");
		}
		else
		{
			if (sample.family != currentFamily && familiesSeen.count(sample.family))
				error(number, "samples of '" + sample.family + "' are not grouped together");
			currentFamily = sample.family;
			familiesSeen.insert(sample.family);
			const std::string type = result.typeOf(sample.family);
			if (type == "counter" && !(sample.value >= 0))
				error(number, "counter '" + sample.name + "' is negative or NaN");
			if (type == "histogram" && sample.name == sample.family)
				error(number, "histogram '" + sample.family + "' has a sample without _bucket, _sum or _count");
			const bool isBucket = type == "histogram" && sample.name == sample.family + "_bucket";
			if (isBucket != (sample.labels.count("le") == 1))
				error(number, isBucket ? "bucket without le label" : "le label outside a histogram bucket");
		}
		const std::string key = seriesKey(sample.name, sample.labels);
		if (!seriesSeen.insert(key).second) error(number, "duplicate series " + key);
		result.samples.push_back(sample);
	}

	// Histograms: per series (labels without le) cumulative buckets ending in +Inf == _count; _sum present.
	for (const auto& type: result.types)
	{
		if (type.second != "histogram") continue;
		const std::string& family = type.first;
		std::map<std::string, std::vector<const Sample*>> buckets;
		std::map<std::string, const Sample*> counts, sums;
		for (const Sample& sample: result.samples)
		{
			if (sample.name == family + "_bucket") buckets[seriesKey(family, sample.labels, "le")].push_back(&sample);
			else if (sample.name == family + "_count") counts[seriesKey(family, sample.labels)] = &sample;
			else if (sample.name == family + "_sum") sums[seriesKey(family, sample.labels)] = &sample;
		}
		if (buckets.empty()) result.errors.push_back("histogram '" + family + "' has no buckets");
		for (const auto& series: buckets)
		{
			const std::vector<const Sample*>& list = series.second;
			double previousBound = -std::numeric_limits<double>::infinity();
			double previousCount = 0;
			for (const Sample* bucket: list)
			{
				double bound = 0;
				if (!parseValue(bucket->labels.at("le"), bound))
				{
					error(bucket->line, "le=\"" + bucket->labels.at("le") + "\" is not a number");
					continue;
				}
				if (!(bound > previousBound)) error(bucket->line, "bucket bounds of " + series.first + " not increasing");
				if (bucket->value < previousCount) error(bucket->line, "buckets of " + series.first + " not cumulative");
				previousBound = bound;
				previousCount = bucket->value;
			}
			if (list.back()->labels.at("le") != "+Inf")
				error(list.back()->line, "the last bucket of " + series.first + " is not le=\"+Inf\"");
			const auto count = counts.find(series.first);
			if (count == counts.end())
				result.errors.push_back("histogram series " + series.first + " has no _count");
			else if (count->second->value != list.back()->value)
				error(count->second->line, "_count of " + series.first + " differs from its +Inf bucket");
			if (!sums.count(series.first)) result.errors.push_back("histogram series " + series.first + " has no _sum");
		}
		for (const auto& count: counts)
			if (!buckets.count(count.first)) error(count.second->line, "_count of " + count.first + " without buckets");
	}
	return result;
}

std::string PrometheusText::errorText() const
{
	std::string text;
	for (const auto& error: errors) text += error + "\n";
	return text;
}

std::optional<double> PrometheusText::value(const std::string& name, const Labels& labels) const
{
	for (const Sample& sample: samples)
		if (sample.name == name && sample.labels == labels) return sample.value;
	return std::nullopt;
}

std::string PrometheusText::typeOf(const std::string& family) const
{
	const auto type = types.find(family);
	return type == types.end() ? std::string() : type->second;
}

std::vector<PrometheusText::Sample> PrometheusText::samplesOf(const std::string& name) const
{
	std::vector<Sample> result;
	for (const Sample& sample: samples)
		if (sample.name == name) result.push_back(sample);
	return result;
}

} } // namespace Hookgate::Test

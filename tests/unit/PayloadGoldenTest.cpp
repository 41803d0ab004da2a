#include "gateway/payload/JsonScanner.h"
#include "gateway/payload/PayloadBuilder.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using Hookgate::EventEnvelope;
using Hookgate::JsonScanner;
using Hookgate::PayloadBuilder;

namespace {

const std::string GOLDEN_DIR = std::string(HOOKGATE_SOURCE_DIR) + "/tests/unit/golden";

std::string readFile(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) return std::string();
	std::ostringstream s;
	s << in.rdbuf();
	return s.str();
}

std::string withoutTrailingNewline(std::string text)
{
	if (!text.empty() && text.back() == '\n') text.pop_back();
	return text;
}

std::vector<std::string> lines(const std::string& text)
{
	std::vector<std::string> result;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line))
	{
		if (!line.empty()) result.push_back(line);
	}
	return result;
}

std::vector<std::string> caseNames()
{
	std::vector<std::string> names;
	for (Poco::DirectoryIterator it(GOLDEN_DIR + "/cases"); it != Poco::DirectoryIterator(); ++it)
	{
		if (it->isDirectory()) names.push_back(it.name());
	}
	std::sort(names.begin(), names.end());
	return names;
}

} // namespace


TEST_CASE("Every golden case gives exactly its expected bytes in every hierarchy", "[payload]")
{
	const bool update = std::getenv("HOOKGATE_GOLDEN_UPDATE") != nullptr;
	const PayloadBuilder shipped(std::string(HOOKGATE_SOURCE_DIR) + "/templates");
	const PayloadBuilder golden(GOLDEN_DIR + "/templates");

	EventEnvelope event;
	event.id = "msg_golden0000000000000000";
	event.type = "appointment.booking.created";
	event.created = "2026-11-27T16:05:09Z";
	event.source = "https://booking.example.com";

	const std::vector<std::string> cases = caseNames();
	CHECK(cases.size() >= 9);
	std::size_t compared = 0;
	std::vector<std::string> hierarchiesSeen;
	for (const auto& name : cases)
	{
		const std::string dir = GOLDEN_DIR + "/cases/" + name;
		event.dataRaw = withoutTrailingNewline(readFile(dir + "/data.json"));
		JsonScanner scanner;
		INFO("case " << name);
		REQUIRE(scanner.validate(event.dataRaw));
		const std::vector<std::string> hierarchies = lines(readFile(dir + "/hierarchies"));
		REQUIRE(hierarchies.size() >= 3);
		for (const auto& hierarchy : hierarchies)
		{
			INFO("hierarchy " << hierarchy);
			const bool isGoldenTemplate = hierarchy.rfind("template:golden-", 0) == 0;
			const PayloadBuilder& builder = isGoldenTemplate ? golden : shipped;
			REQUIRE(builder.hasHierarchy(hierarchy));
			const std::string actual = builder.build(event, hierarchy);

			// Whatever the shape, the payload is one valid JSON document.
			CHECK(scanner.validate(actual));

			std::string fileName = hierarchy;
			std::replace(fileName.begin(), fileName.end(), ':', '-');
			const std::string expectedPath = dir + "/" + fileName + ".expected";
			const bool exists = Poco::File(expectedPath).exists();
			const std::string expected = exists ? readFile(expectedPath) : std::string();
			if (update && (!exists || expected != actual))
			{
				std::ofstream out(expectedPath, std::ios::binary | std::ios::trunc);
				out << actual;
				WARN("written " << expectedPath);
				continue;
			}
			INFO("expected file " << expectedPath);
			REQUIRE(exists);
			CHECK(actual == expected);
			++compared;
			hierarchiesSeen.push_back(hierarchy.substr(0, hierarchy.find(':')));
		}
	}
	if (!update)
	{
		CHECK(compared >= 27);
		for (const std::string mode : {"nested", "flat", "template"})
		{
			CHECK(std::count(hierarchiesSeen.begin(), hierarchiesSeen.end(), mode) >= 9);
		}
	}
}

#include "gateway/payload/PayloadBuilder.h"

#include "gateway/payload/FlatPayload.h"
#include "gateway/payload/JsonScanner.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>

namespace Hookgate {

const std::string PayloadBuilder::NESTED("nested");
const std::string PayloadBuilder::FLAT("flat");
const std::string PayloadBuilder::TEMPLATE_PREFIX("template:");


namespace {

bool isTemplateName(const std::string& name)
{
	if (name.empty() || name.size() > 64) return false;
	return std::all_of(name.begin(), name.end(), [](char c)
	{
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
	});
}

} // namespace


PayloadBuilder::PayloadBuilder(const std::string& templatesDir)
{
	if (templatesDir.empty()) return;
	Poco::Path dir(templatesDir);
	dir.makeDirectory();
	dir.pushDirectory("hierarchy");
	const Poco::File folder(dir);
	if (!folder.exists() || !folder.isDirectory()) return;

	std::vector<std::string> files;
	for (Poco::DirectoryIterator it(folder); it != Poco::DirectoryIterator(); ++it)
	{
		const std::string fileName = it.name();
		if (fileName.empty() || fileName[0] == '.') continue;
		if (fileName.size() <= 5 || fileName.compare(fileName.size() - 5, 5, ".json") != 0) continue;
		if (!it->isFile()) continue;
		files.push_back(fileName);
	}
	std::sort(files.begin(), files.end());
	for (const auto& fileName : files)
	{
		const std::string path = Poco::Path(dir, fileName).toString();
		const std::string name = fileName.substr(0, fileName.size() - 5);
		if (!isTemplateName(name))
		{
			throw Poco::DataFormatException(path + ":1:1: '" + name
				+ "' is not a valid template name (letters, digits, '_', '-' and '.', at most 64 characters)");
		}
		_templates.emplace(name, PayloadTemplate::load(path));
	}
}


std::string PayloadBuilder::build(const EventEnvelope& event, const std::string& hierarchy) const
{
	if (hierarchy == NESTED) return buildNested(event);
	if (hierarchy == FLAT) return FlatPayload::build(event);
	if (hierarchy.compare(0, TEMPLATE_PREFIX.size(), TEMPLATE_PREFIX) == 0)
	{
		const auto it = _templates.find(hierarchy.substr(TEMPLATE_PREFIX.size()));
		if (it != _templates.end()) return it->second.render(event);
	}
	std::string known = "nested, flat";
	for (const auto& t : _templates) known += ", " + TEMPLATE_PREFIX + t.first;
	throw Poco::InvalidArgumentException("unknown payload hierarchy '" + hierarchy + "' (known: " + known + ")");
}


std::string PayloadBuilder::buildNested(const EventEnvelope& event)
{
	const std::string& data = event.dataRaw;
	if (data.size() < 2 || data.front() != '{' || data.back() != '}')
	{
		throw Poco::InvalidArgumentException("event data must be the raw text of a JSON object, without surrounding whitespace");
	}

	std::string out;
	out.reserve(64 + event.id.size() + event.type.size() + event.created.size() + event.source.size() + data.size());
	event.appendHead(out);
	out += ",\"data\":";
	out += data;
	out += '}';
	return out;
}


std::string PayloadBuilder::buildFlat(const EventEnvelope& event)
{
	return FlatPayload::build(event);
}


bool PayloadBuilder::hasHierarchy(const std::string& hierarchy) const
{
	if (isKnownHierarchy(hierarchy)) return true;
	return hierarchy.compare(0, TEMPLATE_PREFIX.size(), TEMPLATE_PREFIX) == 0
		&& _templates.count(hierarchy.substr(TEMPLATE_PREFIX.size())) > 0;
}


std::vector<std::string> PayloadBuilder::templateNames() const
{
	std::vector<std::string> names;
	for (const auto& t : _templates) names.push_back(t.first);
	return names;
}


bool PayloadBuilder::isKnownHierarchy(const std::string& hierarchy)
{
	return hierarchy == NESTED || hierarchy == FLAT;
}

} // namespace Hookgate

#include "gateway/delivery/EmailTemplates.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <set>

namespace Hookgate {

namespace {

const std::set<std::string> PLACEHOLDERS = {"eventType", "eventId", "deliveryId", "account", "endpointId", "created", "attachmentName"};

/// Walks the template, calling `literal(text)` and `placeholder(name, line)`.
template <typename Literal, typename Placeholder>
void walk(const std::string& text, const std::string& source, Literal literal, Placeholder placeholder)
{
	std::size_t pos = 0;
	int line = 1;
	while (pos < text.size())
	{
		const std::size_t open = text.find("{{", pos);
		if (open == std::string::npos)
		{
			literal(text.substr(pos));
			return;
		}
		literal(text.substr(pos, open - pos));
		for (std::size_t i = pos; i < open; ++i)
			if (text[i] == '\n') ++line;
		if (text.compare(open, 4, "{{{{") == 0)
		{
			literal("{{");
			pos = open + 4;
			continue;
		}
		const std::size_t close = text.find("}}", open + 2);
		const std::size_t newline = text.find('\n', open);
		if (close == std::string::npos || (newline != std::string::npos && newline < close))
			throw Poco::DataFormatException(source + ", line " + std::to_string(line) + ": '{{' without a closing '}}' (write '{{{{' for a literal '{{')");
		const std::string name = Poco::trim(text.substr(open + 2, close - open - 2));
		placeholder(name, line);
		pos = close + 2;
	}
}

std::string readFile(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

} // namespace

EmailTemplates::EmailTemplates():
	_subject("[hookgate] {{eventType}} ({{account}})"),
	_text("Hookgate delivered the event {{eventType}} ({{eventId}}) of {{account}} by email.\n"
		"The payload is attached as {{attachmentName}}.\n")
{
}

void EmailTemplates::check(const std::string& text, const std::string& source)
{
	walk(text, source, [](const std::string&) {}, [&](const std::string& name, int line) {
		if (PLACEHOLDERS.count(name) == 0)
		{
			std::string known;
			for (const auto& p : PLACEHOLDERS) known += (known.empty() ? "" : ", ") + p;
			throw Poco::DataFormatException(source + ", line " + std::to_string(line) + ": unknown placeholder '{{" + name +
				"}}'; known: " + known);
		}
	});
}

std::string EmailTemplates::render(const std::string& text, const std::map<std::string, std::string>& values)
{
	std::string out;
	walk(text, "template", [&](const std::string& s) { out += s; }, [&](const std::string& name, int) {
		const auto it = values.find(name);
		if (it != values.end()) out += it->second;
	});
	return out;
}

void EmailTemplates::load(const std::string& directory)
{
	const Poco::Path dir = Poco::Path(directory).makeDirectory().pushDirectory("email");
	const std::string subjectPath = Poco::Path(dir, "subject.txt").toString();
	const std::string textPath = Poco::Path(dir, "body.txt").toString();
	if (Poco::File(subjectPath).exists())
	{
		std::string subject = Poco::trim(readFile(subjectPath));
		if (subject.find('\n') != std::string::npos || subject.find('\r') != std::string::npos)
			throw Poco::DataFormatException(subjectPath + ": the subject must be a single line");
		check(subject, subjectPath);
		_subject = subject;
	}
	if (Poco::File(textPath).exists())
	{
		std::string text = readFile(textPath);
		check(text, textPath);
		_text = text;
	}
}

std::string EmailTemplates::subject(const std::map<std::string, std::string>& values) const
{
	std::string s = render(_subject, values);
	for (char& c : s)
		if (c == '\r' || c == '\n') c = ' ';
	return s;
}

std::string EmailTemplates::text(const std::map<std::string, std::string>& values) const
{
	return render(_text, values);
}

} // namespace Hookgate

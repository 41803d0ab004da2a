#include "gateway/config/ConfigFile.h"
#include "gateway/config/Settings.h"
#include "gateway/config/ConfigKeys.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/String.h>

#include <cstdio>
#include <sstream>

namespace Hookgate {

namespace {

bool isSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Reads the whole file; the exception names the file and the system's reason.
std::string readWhole(const std::string& path)
{
	const Poco::File file(path);
	try
	{
		if (!file.exists()) throw ConfigException("configuration file " + path + " does not exist");
		if (file.isDirectory()) throw ConfigException("configuration file " + path + " is a folder, not a file");
		if (!file.isFile()) throw ConfigException("configuration file " + path + " is not a regular file");
		Poco::FileInputStream in(path);
		in.exceptions(std::ios::badbit);  // a failed read throws Poco's exception for the system's error
		std::string text;
		char buffer[16384];
		for (;;)
		{
			in.read(buffer, sizeof buffer);
			text.append(buffer, static_cast<std::size_t>(in.gcount()));
			if (!in) break;
		}
		return text;
	}
	catch (const ConfigException&)
	{
		throw;
	}
	catch (const Poco::Exception& e)
	{
		// Poco's file exceptions say what the system said: "Access to file denied", ...
		throw ConfigException("configuration file " + path + " cannot be read: " + e.displayText());
	}
}

} // namespace

ConfigFile::ConfigFile(const std::string& path):
	_path(Poco::Path(path).absolute().toString())
{
	const std::string text = readWhole(_path);
	std::istringstream in(text);
	_configuration = new Poco::Util::PropertyFileConfiguration(in);
	_entries = scan(text);
}

const std::string& ConfigFile::path() const
{
	return _path;
}

std::string ConfigFile::directory() const
{
	return Poco::Path(_path).parent().toString();
}

Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> ConfigFile::configuration() const
{
	return _configuration;
}

int ConfigFile::line(const std::string& key) const
{
	for (const auto& e : _entries)
		if (e.key == key) return e.line;
	return 0;
}

void ConfigFile::checkKeys() const
{
	std::map<std::string, int> seen;
	for (const auto& e : _entries)
	{
		const std::string at = _path + ":" + std::to_string(e.line) + ": ";
		if (e.key.empty()) throw ConfigException(at + "a line without a key (it starts with '=' or ':')");
		if (!ConfigKeys::known(e.key) && !ConfigKeys::poco(e.key))
		{
			std::string message = at + "unknown key " + printable(e.key);
			const std::string near = ConfigKeys::nearest(e.key);
			if (!near.empty()) message += " (did you mean " + near + "?)";
			else if (e.key.rfind("hookgate.", 0) != 0)
				message += " (the gateway's keys begin with hookgate.; Poco's own with logging.loggers., logging.channels., "
					"logging.formatters. or application.)";
			throw ConfigException(message);
		}
		const auto [it, first] = seen.emplace(e.key, e.line);
		if (!first)
			throw ConfigException(at + printable(e.key) + " is set twice (first on line " + std::to_string(it->second)
				+ "); only one value may be given");
	}
}

std::vector<std::string> ConfigFile::applicationKeys() const
{
	std::vector<std::string> out;
	for (const auto& e : _entries)
		if (e.key.rfind("application.", 0) == 0) out.push_back(e.key);
	return out;
}

std::string ConfigFile::printable(const std::string& key)
{
	std::string out;
	for (const char c : key)
	{
		const auto u = static_cast<unsigned char>(c);
		if (u >= 0x20 && u < 0x7f && c != '\\')
		{
			out += c;
		}
		else
		{
			char hex[8];
			std::snprintf(hex, sizeof hex, "\\x%02X", u);
			out += hex;
		}
	}
	return out;
}

std::vector<ConfigFile::Entry> ConfigFile::scan(const std::string& text)
{
	// Mirrors Poco::Util::PropertyFileConfiguration::parseLine() and readChar(), counting lines.
	std::vector<Entry> out;
	std::size_t i = 0;
	int line = 1;
	const std::size_t n = text.size();
	auto newline = [&](std::size_t at) {
		// "\r\n" counts once, a lone "\r" or "\n" once each.
		if (text[at] == '\n' || (text[at] == '\r' && (at + 1 >= n || text[at + 1] != '\n'))) ++line;
	};
	while (i < n)
	{
		while (i < n && isSpace(text[i])) newline(i++);
		if (i >= n) break;
		if (text[i] == '#' || text[i] == '!')
		{
			while (i < n && text[i] != '\n' && text[i] != '\r') ++i;
			continue;
		}
		Entry entry;
		entry.line = line;
		std::string key;
		while (i < n && text[i] != '=' && text[i] != ':' && text[i] != '\r' && text[i] != '\n') key += text[i++];
		if (i < n && (text[i] == '=' || text[i] == ':'))
		{
			++i;
			// The value, to its end: a backslash escapes the next character; before a line break
			// it continues the value on the next line.
			while (i < n && text[i] != '\n' && text[i] != '\r')
			{
				if (text[i] == '\\' && i + 1 < n)
				{
					++i;
					if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
					if (text[i] == '\n' || text[i] == '\r') newline(i);
				}
				++i;
			}
		}
		entry.key = Poco::trim(key);
		out.push_back(entry);
	}
	return out;
}

} // namespace Hookgate

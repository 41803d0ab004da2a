#pragma once

#include <Poco/Exception.h>

#include <map>
#include <string>

namespace Hookgate {

/// The subject and text part of email deliveries, from `templates/email/subject.txt` and
/// `templates/email/body.txt`. Placeholders `{{name}}`: eventType, eventId, deliveryId,
/// account, endpointId, created, attachmentName. `{{{{` writes a literal `{{`.
/// Loaded and checked at start: an unknown placeholder or an unclosed one stops the server
/// with file, line and reason.
class EmailTemplates
{
public:
	/// Built-in defaults (used by tests and when no template folder exists).
	EmailTemplates();

	/// Loads the two files of `directory` (each optional: a missing file keeps the default).
	/// Throws Poco::DataFormatException naming file, line and reason.
	void load(const std::string& directory);

	std::string subject(const std::map<std::string, std::string>& values) const;
	std::string text(const std::map<std::string, std::string>& values) const;

	/// Parses `text` as a template; throws Poco::DataFormatException naming `source`, line and reason.
	static void check(const std::string& text, const std::string& source);
	/// Fills in the placeholders (check() first).
	static std::string render(const std::string& text, const std::map<std::string, std::string>& values);

private:
	std::string _subject;
	std::string _text;
};

} // namespace Hookgate

#include "MailServer.h"

#include "Wait.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <stdlib.h>

namespace Hookgate {
namespace Test {

namespace {

const char* PYTHON = "/usr/bin/python3";

std::string readFile(const std::string& path)
{
	std::ifstream file(path, std::ios::binary);
	std::ostringstream text;
	text << file.rdbuf();
	return text.str();
}

void writeAtomically(const std::string& path, const std::string& content)
{
	const std::string temp = path + ".tmp";
	{
		std::ofstream file(temp, std::ios::binary | std::ios::trunc);
		file << content;
		if (!file) throw Poco::WriteFileException(temp);
	}
	Poco::File(temp).renameTo(path);
}

std::string makeTemporaryDirectory()
{
	std::string pattern = Poco::Path::temp() + "hookgate-mail-XXXXXX";
	std::vector<char> buffer(pattern.begin(), pattern.end());
	buffer.push_back('\0');
	if (!::mkdtemp(buffer.data()))
		throw Poco::SystemException("cannot create temporary directory", pattern);
	return std::string(buffer.data());
}

std::vector<std::string> emlFiles(const std::string& directory)
{
	std::vector<std::string> files;
	for (Poco::DirectoryIterator it(directory), end; it != end; ++it)
	{
		if (Poco::endsWith(it.name(), std::string(".eml")))
			files.push_back(it.path().toString());
	}
	std::sort(files.begin(), files.end());
	return files;
}

} // namespace

MailServer::MailServer(const Options& options):
	_options(options),
	_directory(makeTemporaryDirectory())
{
}

MailServer::~MailServer()
{
	try
	{
		stop();
		if (!Poco::Environment::has("HOOKGATE_E2E_KEEP"))
			Poco::File(_directory).remove(true);
	}
	catch (...)
	{
	}
}

std::string MailServer::script()
{
	return std::string(HOOKGATE_SOURCE_DIR) + "/tests/e2e/mail_server.py";
}

void MailServer::start(Poco::UInt16 port, const Poco::Timespan& deadline)
{
	if (running()) throw Poco::IllegalStateException("mail server already running");
	Poco::File portFile(path("port"));
	if (portFile.exists()) portFile.remove();

	Poco::Process::Args args{script(), _directory, "--port", std::to_string(port)};
	if (!_options.starttlsCertificate.empty())
	{
		args.push_back("--starttls");
		args.push_back(_options.starttlsCertificate);
		args.push_back(_options.starttlsKey);
	}
	if (!_options.username.empty())
	{
		args.push_back("--auth");
		args.push_back(_options.username);
		args.push_back(_options.password);
	}
	if (_options.dataDelay.totalMicroseconds() > 0)
	{
		args.push_back("--data-delay");
		args.push_back(std::to_string(static_cast<double>(_options.dataDelay.totalMicroseconds()) / 1e6));
	}
	_process = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(PYTHON, args));

	const Poco::Timestamp started;
	while (!Poco::File(path("port")).exists())
	{
		if (!Poco::Process::isRunning(*_process))
		{
			const int rc = _process->wait();
			_process.reset();
			throw Poco::RuntimeException("mail_server.py exited with code " + std::to_string(rc), log());
		}
		if (started.isElapsed(deadline.totalMicroseconds()))
		{
			stop();
			throw Poco::TimeoutException("mail_server.py did not listen in time", log());
		}
		Poco::Thread::sleep(10);  // polling interval
	}
	_port = static_cast<Poco::UInt16>(Poco::NumberParser::parseUnsigned(Poco::trim(readFile(path("port")))));
}

void MailServer::stop()
{
	if (!_process) return;
	if (Poco::Process::isRunning(*_process))
		Poco::Process::kill(*_process);
	_process->wait();
	_process.reset();
}

bool MailServer::running() const
{
	return _process && Poco::Process::isRunning(*_process);
}

Poco::UInt16 MailServer::port() const
{
	return _port;
}

void MailServer::reply(const std::string& command, const std::string& reply, int times)
{
	writeAtomically(path("control/" + command), std::to_string(times) + " " + reply + "\n");
}

void MailServer::clearReplies(const std::string& command)
{
	writeAtomically(path("control/" + command), "");
}

int MailServer::connections() const
{
	const std::string text = Poco::trim(readFile(path("connections")));
	return text.empty() ? 0 : Poco::NumberParser::parse(text);
}

std::vector<MailCommand> MailServer::commands() const
{
	std::vector<MailCommand> result;
	const std::string text = readFile(path("commands"));
	std::size_t start = 0;
	for (;;)
	{
		const std::size_t eol = text.find('\n', start);
		if (eol == std::string::npos) break;  // only complete lines
		std::istringstream line(text.substr(start, eol - start));
		MailCommand command;
		if (line >> command.connection >> command.verb) result.push_back(command);
		start = eol + 1;
	}
	return result;
}

std::size_t MailServer::countCommands(const std::string& verb) const
{
	const std::vector<MailCommand> all = commands();
	return static_cast<std::size_t>(std::count_if(all.begin(), all.end(),
		[&](const MailCommand& command) { return command.verb == verb; }));
}

std::vector<MailMessage> MailServer::messages() const
{
	std::vector<MailMessage> result;
	for (const std::string& file: emlFiles(path("messages")))
	{
		MailMessage message;
		message.file = file;
		message.content = readFile(file);
		Poco::JSON::Object::Ptr info = Poco::JSON::Parser()
			.parse(readFile(Poco::Path(file).setExtension("json").toString()))
			.extract<Poco::JSON::Object::Ptr>();
		message.mailFrom = info->getValue<std::string>("mailFrom");
		for (const auto& rcpt: *info->getArray("rcptTos"))
			message.rcptTos.push_back(rcpt.convert<std::string>());
		message.tls = info->getValue<bool>("tls");
		if (!info->isNull("authMechanism"))
			message.authMechanism = info->getValue<std::string>("authMechanism");
		message.connection = info->getValue<int>("connection");
		result.push_back(std::move(message));
	}
	return result;
}

std::size_t MailServer::messageCount() const
{
	return emlFiles(path("messages")).size();
}

bool MailServer::waitForMessages(std::size_t count, const Poco::Timespan& deadline) const
{
	return waitUntil([&]() { return messageCount() >= count; }, deadline);
}

std::string MailServer::directory() const
{
	return _directory;
}

std::string MailServer::log() const
{
	return readFile(path("server.log"));
}

std::string MailServer::path(const std::string& name) const
{
	return _directory + "/" + name;
}

} } // namespace Hookgate::Test

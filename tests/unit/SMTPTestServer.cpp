#include "SMTPTestServer.h"

#include "HTTPTestCertificates.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace Hookgate {
namespace Test {

namespace {

const char* PYTHON = "/usr/bin/python3";

std::string readFile(const std::string& path)
{
	Poco::FileInputStream istr(path, std::ios::binary);
	std::string content;
	Poco::StreamCopier::copyToString(istr, content);
	return content;
}

std::string scriptPath()
{
	return Poco::Path(__FILE__).setFileName("smtp_server.py").toString();
}

void pause()
{
	std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a polling interval, not a wait for an event
}

} // namespace

SMTPTestServer::SMTPTestServer():
	SMTPTestServer(Options())
{
}

SMTPTestServer::SMTPTestServer(const Options& options)
{
	_directory.createDirectories();
	Poco::Process::Args args{scriptPath(), _directory.path()};
	const auto tls = [&](const std::string& flag, const std::string& name) {
		if (name.empty())
			return;
		const HTTPTestCertificates& certificates = HTTPTestCertificates::instance();
		args.push_back(flag);
		args.push_back(certificates.certificateFile(name));
		args.push_back(certificates.keyFile(name));
	};
	tls("--starttls", options.starttlsCertificate);
	tls("--implicit-tls", options.implicitCertificate);
	if (!options.username.empty())
	{
		args.push_back("--auth");
		args.push_back(options.username);
		args.push_back(options.password);
		if (options.authWithoutTLS)
			args.push_back("--auth-allow-plaintext");
		for (const std::string& mechanism: options.authExclude)
		{
			args.push_back("--auth-exclude");
			args.push_back(mechanism);
		}
	}
	_process = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(PYTHON, args));

	const Poco::Timestamp start;
	const Poco::Timespan deadline(10, 0);
	while (!Poco::File(path("port")).exists())
	{
		if (!Poco::Process::isRunning(*_process))
		{
			const int rc = _process->wait();
			_process.reset();
			const std::string log = Poco::File(path("server.log")).exists() ? readFile(path("server.log")) : std::string();
			throw Poco::RuntimeException("smtp_server.py exited with code " + std::to_string(rc), log);
		}
		if (start.elapsed() > deadline.totalMicroseconds())
		{
			stop();
			throw Poco::TimeoutException("smtp_server.py did not listen within 10 s");
		}
		pause();
	}
	_port = static_cast<Poco::UInt16>(Poco::NumberParser::parseUnsigned(Poco::trim(readFile(path("port")))));
}

SMTPTestServer::~SMTPTestServer()
{
	try
	{
		stop();
	}
	catch (...)
	{
	}
}

Poco::UInt16 SMTPTestServer::port() const
{
	return _port;
}

void SMTPTestServer::stop()
{
	if (!_process)
		return;
	if (Poco::Process::isRunning(*_process))
		Poco::Process::kill(*_process);
	_process->wait();
	_process.reset();
}

void SMTPTestServer::script(const std::string& command, const std::string& reply)
{
	const std::string file = path("control/" + command);
	const std::string temp = file + ".tmp";
	{
		Poco::FileOutputStream ostr(temp, std::ios::binary | std::ios::trunc);
		ostr << reply;
	}
	Poco::File(temp).renameTo(file);
}

int SMTPTestServer::connections() const
{
	return static_cast<int>(Poco::NumberParser::parse(Poco::trim(readFile(path("connections")))));
}

std::vector<SMTPReceivedMessage> SMTPTestServer::messages() const
{
	std::vector<std::string> files;
	for (Poco::DirectoryIterator it(path("messages")), end; it != end; ++it)
	{
		if (Poco::endsWith(it.name(), std::string(".eml")))
			files.push_back(it.path().toString());
	}
	std::sort(files.begin(), files.end());

	std::vector<SMTPReceivedMessage> result;
	for (const std::string& file: files)
	{
		SMTPReceivedMessage message;
		message.file = file;
		message.content = readFile(file);
		const std::string json = readFile(Poco::Path(file).setExtension("json").toString());
		Poco::JSON::Object::Ptr info = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
		message.mailFrom = info->getValue<std::string>("mailFrom");
		for (const auto& option: *info->getArray("mailOptions"))
			message.mailOptions.push_back(option.convert<std::string>());
		for (const auto& rcpt: *info->getArray("rcptTos"))
			message.rcptTos.push_back(rcpt.convert<std::string>());
		message.tls = info->getValue<bool>("tls");
		if (!info->isNull("authMechanism"))
			message.authMechanism = info->getValue<std::string>("authMechanism");
		result.push_back(std::move(message));
	}
	return result;
}

bool SMTPTestServer::waitForMessages(std::size_t count, Poco::Timespan deadline) const
{
	const Poco::Timestamp start;
	for (;;)
	{
		std::size_t found = 0;
		for (Poco::DirectoryIterator it(path("messages")), end; it != end; ++it)
		{
			if (Poco::endsWith(it.name(), std::string(".eml")))
				++found;
		}
		if (found >= count)
			return true;
		if (start.elapsed() > deadline.totalMicroseconds())
			return false;
		pause();
	}
}

std::string SMTPTestServer::path(const std::string& name) const
{
	return _directory.path() + "/" + name;
}

} // namespace Test
} // namespace Hookgate

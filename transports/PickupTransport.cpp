#include "transports/PickupTransport.h"

#include "transports/EmailMessage.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/UUIDGenerator.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#if defined(_WIN32)
#include <Poco/FileStream.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace Hookgate {

namespace {

std::string systemError(int error)
{
	return std::strerror(error);
}

std::string randomSuffix()
{
	const std::string uuid = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
	return uuid.substr(0, 8);
}

#if !defined(_WIN32)

/// Writes data to a new file and flushes it to disk; returns an error text or "".
std::string writeDurably(const std::string& path, const std::string& data)
{
	const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return systemError(errno);
	std::size_t written = 0;
	while (written < data.size())
	{
		const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			const int error = errno;
			::close(fd);
			return systemError(error);
		}
		written += static_cast<std::size_t>(n);
	}
	if (::fsync(fd) != 0)
	{
		const int error = errno;
		::close(fd);
		return systemError(error);
	}
	if (::close(fd) != 0)
		return systemError(errno);
	return std::string();
}

/// Makes a rename in directory durable; best effort.
void syncDirectory(const std::string& directory)
{
	const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
	{
		::fsync(fd);
		::close(fd);
	}
}

#endif

} // namespace

const std::string PickupTransport::EXTENSION(".eml");
const std::string PickupTransport::TEMP_PREFIX(".tmp-");

PickupTransport::PickupTransport(const Options& options):
	_options(options)
{
	if (_options.directory.empty())
		throw Poco::InvalidArgumentException("pickup directory must not be empty");
	const std::string senderError = EmailMessage::checkSender(_options.from);
	if (!senderError.empty())
		throw Poco::InvalidArgumentException("invalid sender address \"" + _options.from + "\": " + senderError);
}

void PickupTransport::deliverImpl(const DeliveryRequest& request, DeliveryOutcome& outcome)
{
	const std::unique_ptr<EmailMessage> message = EmailMessage::create(_options.from, request, outcome);
	if (!message)
		return;

	outcome.kind = DeliveryOutcome::Kind::Transient;
	const std::string directory = Poco::Path(_options.directory).makeDirectory().toString();
	try
	{
		Poco::File file(directory);
		file.createDirectories();
		if (!file.isDirectory())
		{
			outcome.error = "cannot create pickup directory " + _options.directory + ": a file of that name exists";
			return;
		}
	}
	catch (Poco::Exception& exc)
	{
		outcome.error = "cannot create pickup directory " + _options.directory + ": " + exc.displayText();
		return;
	}

	const std::string name = nextName();
	const std::string finalPath = Poco::Path(directory, name).toString();
	const std::string tempPath = Poco::Path(directory, TEMP_PREFIX + name).toString();

#if defined(_WIN32)
	try
	{
		{
			Poco::FileOutputStream ostr(tempPath, std::ios::binary | std::ios::trunc);
			ostr.write(message->bytes().data(), static_cast<std::streamsize>(message->bytes().size()));
			ostr.close();
			if (!ostr)
				throw Poco::WriteFileException(tempPath);
		}
		Poco::File(tempPath).renameTo(finalPath);
	}
	catch (Poco::Exception& exc)
	{
		try
		{
			Poco::File(tempPath).remove();
		}
		catch (...)
		{
		}
		outcome.error = "cannot write pickup file " + finalPath + ": " + exc.displayText();
		return;
	}
#else
	std::string error = writeDurably(tempPath, message->bytes());
	if (error.empty() && ::rename(tempPath.c_str(), finalPath.c_str()) != 0)
		error = systemError(errno);
	if (!error.empty())
	{
		::unlink(tempPath.c_str());
		outcome.error = "cannot write pickup file " + finalPath + ": " + error;
		return;
	}
	syncDirectory(directory);
#endif

	outcome.kind = DeliveryOutcome::Kind::Succeeded;
	outcome.responseCode = 0;
	outcome.error.clear();
	outcome.responseBody = name;
}

std::string PickupTransport::nextName()
{
	Poco::Timestamp::TimeVal time = Poco::Timestamp().epochMicroseconds();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (time <= _lastTime)
			time = _lastTime + 1;
		_lastTime = time;
	}
	return Poco::DateTimeFormatter::format(Poco::Timestamp(time), "%Y%m%dT%H%M%S.%FZ") + "-" + randomSuffix() + EXTENSION;
}

} // namespace Hookgate

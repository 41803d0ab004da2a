#include "gateway/store/WalSync.h"
#include "gateway/core/Store.h"

#include <cerrno>
#include <cstring>
#include <mutex>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace Hookgate {

WalSync::WalSync(std::string databasePath):
	_path(std::move(databasePath) + "-wal")
{
}

WalSync::~WalSync()
{
	close();
}

#ifndef _WIN32

namespace {

bool sameFile(int fd, const std::string& path)
{
	struct stat open, named;
	if (::fstat(fd, &open) != 0 || ::stat(path.c_str(), &named) != 0) return false;
	return open.st_dev == named.st_dev && open.st_ino == named.st_ino;
}

} // namespace

void WalSync::sync()
{
	for (int attempt = 0; attempt < 2; ++attempt)
	{
		{
			std::shared_lock<std::shared_mutex> lock(_mutex);
			if (_closed)
			{
				// close() synced everything written before it.
				if (!_closingError.empty()) throw StoreUnavailableException(_closingError);
				return;
			}
			if (_fd >= 0 && sameFile(_fd, _path))
			{
				if (::fdatasync(_fd) == 0) return;
				const int error = errno;
				throw StoreUnavailableException("cannot sync " + _path + ": " + std::strerror(error));
			}
		}
		reopen();
	}
	throw StoreUnavailableException("cannot sync " + _path + ": the file was replaced twice meanwhile");
}

void WalSync::reopen()
{
	std::unique_lock<std::shared_mutex> lock(_mutex);
	if (_closed || (_fd >= 0 && sameFile(_fd, _path))) return;
	const int fd = ::open(_path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		const int error = errno;
		throw StoreUnavailableException("cannot open " + _path + " to sync it: " + std::strerror(error));
	}
	if (_fd >= 0) ::close(_fd);
	_fd = fd;
}

void WalSync::close()
{
	std::unique_lock<std::shared_mutex> lock(_mutex);
	if (_closed) return;
	_closed = true;
	// A last sync, for the writers whose sync comes after this: the checkpoint before a close
	// does not always empty the log.
	if (_fd >= 0 && !sameFile(_fd, _path))
	{
		::close(_fd);
		_fd = -1;
	}
	if (_fd < 0) _fd = ::open(_path.c_str(), O_RDONLY | O_CLOEXEC);  // none: nothing to sync
	if (_fd < 0) return;
	if (::fdatasync(_fd) != 0)
	{
		const int error = errno;
		_closingError = "cannot sync " + _path + ": " + std::strerror(error);
	}
	::close(_fd);
	_fd = -1;
}

#else

// Windows: the store keeps synchronous=FULL there and does not use this class.
void WalSync::sync()
{
}

void WalSync::reopen()
{
}

void WalSync::close()
{
	std::unique_lock<std::shared_mutex> lock(_mutex);
	_closed = true;
}

#endif

} // namespace Hookgate

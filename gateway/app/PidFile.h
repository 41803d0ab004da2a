#pragma once

#include <string>

namespace Hookgate {

/// The process id written to a file (`--pidfile`), removed again when the object goes.
class PidFile
{
public:
	/// Writes the pid of this process. Throws Poco's file exceptions naming the reason (a missing
	/// folder, no permission).
	explicit PidFile(const std::string& path);
	~PidFile();
	PidFile(const PidFile&) = delete;
	PidFile& operator=(const PidFile&) = delete;

private:
	std::string _path;
};

} // namespace Hookgate

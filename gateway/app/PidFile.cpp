#include "gateway/app/PidFile.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Process.h>

namespace Hookgate {

PidFile::PidFile(const std::string& path): _path(path)
{
	Poco::FileOutputStream out(path);  // throws, e.g. FileNotFoundException for a missing folder
	out << Poco::Process::id() << "\n";
	out.close();
}

PidFile::~PidFile()
{
	try
	{
		Poco::File(_path).remove();
	}
	catch (...)
	{
	}
}

} // namespace Hookgate

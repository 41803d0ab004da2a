#pragma once

#include "gateway/api/StaticFiles.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>

namespace Hookgate {

/// Answers one request for a dashboard file (see StaticFiles); errors get the API's JSON
/// error body (404 `not_found`, 405 `method_not_allowed`).
class StaticFileHandler : public Poco::Net::HTTPRequestHandler
{
public:
	StaticFileHandler(const StaticFiles& files, std::size_t maxBodySize, Poco::Logger& logger):
		_files(files),
		_maxBodySize(maxBodySize),
		_logger(logger)
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
	const StaticFiles& _files;
	std::size_t _maxBodySize;
	Poco::Logger& _logger;
};

} // namespace Hookgate

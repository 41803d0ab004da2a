#pragma once

#include <Poco/Net/Context.h>
#include <Poco/TemporaryFile.h>

#include <string>

namespace Hookgate {
namespace Test {

/// A throwaway CA and server certificates signed by it, made once per test run
/// with the openssl command line in a temporary directory (removed at exit).
///
/// Server certificates by name:
///   "localhost"   subjectAltName DNS:localhost, IP:127.0.0.1
///   "dns-only"    subjectAltName DNS:localhost
///   "ip-only"     subjectAltName IP:127.0.0.1
///   "wrong-name"  subjectAltName DNS:wrong.example.com
class HTTPTestCertificates
{
public:
	static const HTTPTestCertificates& instance();

	std::string caFile() const;
	std::string certificateFile(const std::string& name) const;
	std::string keyFile(const std::string& name) const;
	Poco::Net::Context::Ptr serverContext(const std::string& name) const;

private:
	HTTPTestCertificates();
	void makeServerCertificate(const std::string& name, const std::string& commonName, const std::string& subjectAltName, int serial);
	void openssl(const std::vector<std::string>& args) const;
	void write(const std::string& file, const std::string& content) const;
	std::string path(const std::string& file) const;

	Poco::TemporaryFile _directory;
};

} // namespace Test
} // namespace Hookgate

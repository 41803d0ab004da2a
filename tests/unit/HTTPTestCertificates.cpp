#include "HTTPTestCertificates.h"

#include <Poco/Exception.h>
#include <Poco/FileStream.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

namespace Hookgate {
namespace Test {

const HTTPTestCertificates& HTTPTestCertificates::instance()
{
	static const HTTPTestCertificates certificates;
	return certificates;
}

HTTPTestCertificates::HTTPTestCertificates()
{
	Poco::Net::initializeSSL();  // balanced by nothing: the certificates live until exit
	_directory.createDirectories();

	write("ca.cnf",
		"[req]\n"
		"distinguished_name = dn\n"
		"prompt = no\n"
		"x509_extensions = v3_ca\n"
		"[dn]\n"
		"CN = Hookgate Test CA\n"
		"[v3_ca]\n"
		"basicConstraints = critical,CA:TRUE\n"
		"keyUsage = critical,keyCertSign,cRLSign\n"
		"subjectKeyIdentifier = hash\n");
	openssl({"req", "-x509", "-config", path("ca.cnf"), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
		"-nodes", "-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2"});

	makeServerCertificate("localhost", "localhost", "DNS:localhost,IP:127.0.0.1", 1001);
	makeServerCertificate("dns-only", "localhost", "DNS:localhost", 1002);
	makeServerCertificate("ip-only", "127.0.0.1", "IP:127.0.0.1", 1003);
	makeServerCertificate("wrong-name", "wrong.example.com", "DNS:wrong.example.com", 1004);
}

void HTTPTestCertificates::makeServerCertificate(const std::string& name, const std::string& commonName, const std::string& subjectAltName, int serial)
{
	write(name + ".cnf",
		"[req]\n"
		"distinguished_name = dn\n"
		"prompt = no\n"
		"[dn]\n"
		"CN = " + commonName + "\n");
	write(name + ".ext",
		"basicConstraints = CA:FALSE\n"
		"keyUsage = critical,digitalSignature,keyEncipherment\n"
		"extendedKeyUsage = serverAuth\n"
		"subjectAltName = " + subjectAltName + "\n");
	openssl({"req", "-new", "-config", path(name + ".cnf"), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
		"-nodes", "-keyout", path(name + ".key"), "-out", path(name + ".csr")});
	openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
		"-set_serial", std::to_string(serial), "-days", "2", "-extfile", path(name + ".ext"), "-out", path(name + ".crt")});
}

void HTTPTestCertificates::openssl(const std::vector<std::string>& args) const
{
	Poco::Pipe output;
	Poco::ProcessHandle process = Poco::Process::launch("openssl", Poco::Process::Args(args.begin(), args.end()), _directory.path(), nullptr, &output, &output);
	Poco::PipeInputStream istr(output);
	std::string text;
	Poco::StreamCopier::copyToString(istr, text);
	const int rc = process.wait();
	if (rc != 0)
		throw Poco::RuntimeException("openssl " + args.front() + " failed with exit code " + std::to_string(rc), text);
}

void HTTPTestCertificates::write(const std::string& file, const std::string& content) const
{
	Poco::FileOutputStream ostr(path(file));
	ostr << content;
}

std::string HTTPTestCertificates::path(const std::string& file) const
{
	return Poco::Path(_directory.path(), file).toString();
}

std::string HTTPTestCertificates::caFile() const
{
	return path("ca.crt");
}

std::string HTTPTestCertificates::certificateFile(const std::string& name) const
{
	return path(name + ".crt");
}

std::string HTTPTestCertificates::keyFile(const std::string& name) const
{
	return path(name + ".key");
}

Poco::Net::Context::Ptr HTTPTestCertificates::serverContext(const std::string& name) const
{
	return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, keyFile(name), certificateFile(name), "", Poco::Net::Context::VERIFY_NONE);
}

} // namespace Test
} // namespace Hookgate

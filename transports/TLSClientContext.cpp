#include "transports/TLSClientContext.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/NumberFormatter.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace Hookgate {

namespace {

/// The certificate-chain error of the TLS handshake running on this thread.
/// OpenSSL calls the verify callback on the thread doing the handshake, which
/// is the thread inside deliver().
thread_local std::string tlsVerifyError;

int verifyCallback(int ok, X509_STORE_CTX* store)
{
	if (!ok && tlsVerifyError.empty())
	{
		const int error = X509_STORE_CTX_get_error(store);
		const int depth = X509_STORE_CTX_get_error_depth(store);
		tlsVerifyError = X509_verify_cert_error_string(error);
		X509* cert = X509_STORE_CTX_get_current_cert(store);
		if (cert)
		{
			char subject[256];
			X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
			tlsVerifyError += " (certificate ";
			tlsVerifyError += subject;
			tlsVerifyError += ", depth " + Poco::NumberFormatter::format(depth) + ")";
		}
	}
	return ok;
}

} // namespace

TLSClientContext::TLSClientContext(const std::string& caFile, const std::string& missingCAFileMessage)
{
	Poco::Net::initializeSSL();
	try
	{
		if (!Poco::File(caFile).exists())
			throw Poco::FileNotFoundException(missingCAFileMessage, caFile);

		Poco::Net::Context::Params params;
		params.caLocation = caFile;
		params.loadDefaultCAs = false;
		params.verificationMode = Poco::Net::Context::VERIFY_STRICT;  // chain AND host name, also for loopback names
		params.verificationDepth = 9;
		params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
		_pContext = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
		_pContext->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
		// Poco's own verify callback reports chain errors to the process-wide SSLManager
		// events, whose handler may be a console prompt or may accept the certificate.
		// Use our own: reject, and remember why.
		SSL_CTX_set_verify(_pContext->sslContext(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &verifyCallback);
	}
	catch (...)
	{
		_pContext = nullptr;
		Poco::Net::uninitializeSSL();
		throw;
	}
}

TLSClientContext::~TLSClientContext()
{
	_pContext = nullptr;
	Poco::Net::uninitializeSSL();
}

void TLSClientContext::clearVerifyError()
{
	tlsVerifyError.clear();
}

const std::string& TLSClientContext::verifyError()
{
	return tlsVerifyError;
}

} // namespace Hookgate

#pragma once

#include <Poco/Net/Context.h>

#include <string>

namespace Hookgate {

/// The verified TLS client context shared by the transports that speak TLS
/// (HTTPTransport, SMTPTransport).
///
/// - Initializes NetSSL for its lifetime (uninitialized again by the destructor).
/// - Trusts only the given PEM CA file (no default CAs); VERIFY_STRICT, so the
///   chain AND the host name are checked, also for loopback names; depth 9;
///   TLS 1.2 or later; strong ciphers only.
/// - Replaces Poco's verify callback, which reports chain errors to the
///   process-wide SSLManager events (whose handler may be a console prompt or
///   may accept the certificate), by one that rejects and remembers why:
///   verifyError() is the first chain error of the last handshake on the
///   calling thread, cleared by clearVerifyError().
class TLSClientContext
{
public:
	TLSClientContext(const std::string& caFile, const std::string& missingCAFileMessage);
		/// Throws Poco::FileNotFoundException(missingCAFileMessage, caFile) if the
		/// CA file does not exist, Poco::Net::SSLContextException if it cannot be loaded.

	~TLSClientContext();

	TLSClientContext(const TLSClientContext&) = delete;
	TLSClientContext& operator = (const TLSClientContext&) = delete;

	Poco::Net::Context::Ptr context() const;
		/// The client context, for SecureStreamSocket.

	static void clearVerifyError();
		/// Forgets the chain error of this thread; call before a handshake.

	static const std::string& verifyError();
		/// The chain error of the last handshake on this thread, e.g.
		/// "unable to get local issuer certificate (certificate /CN=localhost, depth 0)",
		/// or an empty string.

private:
	Poco::Net::Context::Ptr _pContext;
};

inline Poco::Net::Context::Ptr TLSClientContext::context() const
{
	return _pContext;
}

} // namespace Hookgate

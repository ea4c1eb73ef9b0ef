// A self-signed TLS certificate for development and first starts: ECDSA P-256 key, SHA-256
// signature, subject and issuer CN=localhost (O=voxsecrets development), valid from an hour
// before `clock`'s now for 825 days, with subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1.
//
// A leaf certificate that is its own trust anchor: basicConstraints CA:FALSE (critical), keyUsage
// digitalSignature and keyEncipherment (critical), extendedKeyUsage serverAuth, subject and
// authority key identifiers. It cannot sign other certificates, so trusting it trusts this one
// server only. A client that adds cert.pem to its trusted certificates (curl --cacert,
// NODE_EXTRA_CA_CERTS or Node's `ca`, `openssl verify -CAfile cert.pem cert.pem`) accepts the
// server at https://localhost and https://127.0.0.1.
//
// Files: cert_path gets the certificate PEM (mode 0644); key_path the PKCS#8 private key PEM,
// unencrypted, mode 0600. Existing files are replaced. The serial number comes from `random`.
//
// Thread-safety: reentrant. Ownership: arguments are borrowed for the call.
#ifndef VOXSECRETS_CRYPTO_SELF_SIGNED_CERT_H_
#define VOXSECRETS_CRYPTO_SELF_SIGNED_CERT_H_

#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"

namespace voxsecrets::crypto {

inline constexpr int kSelfSignedCertDays = 825;

// kInternal when OpenSSL fails; kPermissionDenied/kUnavailable when a file cannot be written.
Status WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path,
                           const Clock& clock, SecureRandom& random);

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_SELF_SIGNED_CERT_H_

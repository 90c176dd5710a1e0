// The operating system's trust store for OpenSSL. On Windows, OpenSSL's default verify paths
// point at a folder that does not exist: the certificates of the ROOT and CA system stores
// (CertOpenSystemStore) are added to the X509_STORE instead. Elsewhere the default paths are the
// system's store already, and this adds nothing. The same holds for libcurl's CA bundle.
#pragma once

#include <openssl/x509_vfy.h>

namespace md::platform {

// Adds the system's trusted roots and intermediate authorities; returns how many were added.
int add_system_roots(X509_STORE* store);

// True where libcurl finds no CA bundle file and must read the system's store itself
// (CURLSSLOPT_NATIVE_CA, libcurl 7.71+ with OpenSSL): Windows.
bool curl_needs_native_ca();

}  // namespace md::platform

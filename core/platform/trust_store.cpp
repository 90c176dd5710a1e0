#include "platform/trust_store.h"

#if defined(_WIN32)
#include <windows.h>
// after windows.h
#include <wincrypt.h>
#endif

#include <openssl/err.h>
#include <openssl/x509.h>

#include <initializer_list>

namespace md::platform {

#if defined(_WIN32)
int add_system_roots(X509_STORE* store) {
  int added = 0;
  for (const wchar_t* name : {L"ROOT", L"CA"}) {
    HCERTSTORE sys = CertOpenSystemStoreW(0, name);
    if (!sys) continue;
    for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(sys, nullptr); c; c = CertEnumCertificatesInStore(sys, c)) {
      const unsigned char* der = c->pbCertEncoded;
      X509* x = d2i_X509(nullptr, &der, static_cast<long>(c->cbCertEncoded));
      if (!x) continue;
      if (X509_STORE_add_cert(store, x) == 1) ++added;  // a duplicate is refused, harmlessly
      X509_free(x);
    }
    CertCloseStore(sys, 0);
  }
  ERR_clear_error();
  return added;
}

bool curl_needs_native_ca() {
  return true;
}
#else
int add_system_roots(X509_STORE*) {
  return 0;
}

bool curl_needs_native_ca() {
  return false;
}
#endif

}  // namespace md::platform

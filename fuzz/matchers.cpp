// The explain catalogue's matchers (core/diagnostics/matchers.h): a server's final words and a
// decoded SASL challenge, for each protocol and sign-in, to a failure code that must exist.
#include <cstdint>
#include <cstdlib>

#include "diagnostics/catalogue.h"
#include "diagnostics/matchers.h"
#include "fuzz_support.h"

using namespace md;
using namespace md::diagnostics;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ServerEvidence e;
  const MailProtocol protocols[] = {MailProtocol::imap, MailProtocol::pop3, MailProtocol::smtp, MailProtocol::imap};
  e.protocol = protocols[data[0] & 3];
  e.sign_in = (data[0] & 4) ? SignIn::password : SignIn::oauth2;
  // The response, then (after the first NUL) the challenge.
  std::string_view rest = fuzz::as_text(data + 1, size - 1);
  size_t nul = rest.find('\0');
  e.response = std::string(rest.substr(0, nul));
  if (nul != std::string_view::npos) e.challenge = std::string(rest.substr(nul + 1));
  if (auto code = match_failure(e))
    if (find_entry(*code) == nullptr) std::abort();
  return 0;
}

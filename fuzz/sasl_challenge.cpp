// The bearer-token error challenge a server sends before refusing a token (core/mail/sasl.h): the
// base64 text as it comes after "+ " / "334 ", and the JSON inside it.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/sasl.h"

using namespace md;
using namespace md::mail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  (void)sasl::decode_challenge(text);
  if (auto c = sasl::parse_challenge_json(text)) {
    if (c.value().raw != text) std::abort();  // kept as sent, for the evidence
  }
  return 0;
}

// POP3 status lines and the CAPA list (core/mail/pop3_client.h), a line at a time.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/pop3_client.h"

using namespace md;
using namespace md::mail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> capa;
  for (std::string_view line : fuzz::split_lines(fuzz::as_text(data, size))) {
    if (auto r = parse_pop3_reply(line)) {
      // The code and the text are cut out of the line: never longer than it.
      if (r->code.size() + r->text.size() > line.size()) std::abort();
    }
    capa.emplace_back(line);
  }
  auto caps = parse_pop3_capabilities(capa);
  (void)caps.stls();
  (void)caps.user();
  for (auto m : {sasl::Mechanism::xoauth2, sasl::Mechanism::oauthbearer, sasl::Mechanism::plain})
    (void)caps.supports(m);
  return 0;
}

// SMTP replies (core/mail/smtp_client.h): a whole canned reply, the same bytes fed line by line as
// the client reads them, and the EHLO keyword list of each complete reply.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/smtp_client.h"

using namespace md;
using namespace md::mail;

namespace {

void use(const SmtpReply& reply) {
  if (reply.code < 200 || reply.code > 599) std::abort();  // feed() refuses anything else
  (void)reply.text();
  (void)reply.positive();
  auto ext = parse_ehlo(reply);
  (void)ext.starttls();
  for (auto m :
       {sasl::Mechanism::xoauth2, sasl::Mechanism::oauthbearer, sasl::Mechanism::plain, sasl::Mechanism::login})
    (void)ext.supports(m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (auto whole = parse_smtp_reply(text)) use(whole.value());
  SmtpReplyParser parser;
  for (std::string_view line : fuzz::split_lines(text)) {
    auto done = parser.feed(line);
    if (!done) {
      parser = SmtpReplyParser();
      continue;
    }
    if (done.value()) {
      use(parser.take());
      parser = SmtpReplyParser();
    }
  }
  return 0;
}

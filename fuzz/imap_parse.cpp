// IMAP response grammar (core/mail/imap_parse.h) on a server's bytes: every line as a status
// response, untagged data, a capability list and a flag list; FETCH responses with their literals
// read through a ResponseInput over the rest of the bytes.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/imap_parse.h"

using namespace md;
using namespace md::mail;

namespace {

// The sync's limit is 1 GiB; a small one here so that "over the limit" is reachable too.
constexpr uint64_t kMaxLiteral = 64 * 1024;

void one_line(const std::string& line, imap::StringInput& in, size_t input_size) {
  if (auto st = imap::parse_status(line)) {
    if (st->code == "CAPABILITY") (void)imap::parse_capabilities(st->code_args).supports(sasl::Mechanism::xoauth2);
    if (st->code == "PERMANENTFLAGS") (void)imap::parse_atom_list(st->code_args);
  }
  (void)imap::quote(line);
  if (imap::is_fetch_line(line)) {
    auto msg = imap::parse_fetch(line, in, kMaxLiteral);
    if (msg) {
      // Literals are copied out of the input, never made up: more bytes than came in is a bug.
      uint64_t bytes = 0;
      for (const auto& s : msg.value().sections) bytes += s.bytes ? s.bytes->size() : 0;
      if (bytes > input_size) std::abort();
      (void)msg.value().body();
    }
    return;
  }
  if (auto u = imap::parse_untagged(line)) {
    if (u->keyword == "CAPABILITY") {
      auto caps = imap::parse_capabilities(u->rest);
      (void)caps.starttls();
      (void)caps.supports(sasl::Mechanism::oauthbearer);
    }
    if (u->keyword == "FLAGS") (void)imap::parse_atom_list(u->rest);
  }
  // Any other line announcing a literal: the client reads the literal, then the line after it.
  if (auto n = imap::trailing_literal(line); n && *n <= kMaxLiteral) {
    std::string literal;
    (void)in.literal(*n, literal);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  imap::StringInput in(fuzz::as_text(data, size));
  while (!in.at_end()) {
    auto line = in.next_line();
    if (!line) break;
    one_line(line.value(), in, size);
  }
  return 0;
}

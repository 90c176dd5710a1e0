// A message header as a server delivers it (core/sync/envelope.h): From, Subject, Date and
// Message-ID unfolded and their RFC 2047 encoded words decoded, for the sync's display.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "sync/envelope.h"

using namespace md;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  sync::Envelope env = sync::parse_envelope(text);
  // Fields are cut to 4 KiB before decoding, and decoding never lengthens text.
  for (const std::string* f : {&env.from, &env.subject, &env.date, &env.message_id})
    if (f->size() > 4096) std::abort();
  if (sync::decode_encoded_words(text).size() > text.size()) std::abort();
  return 0;
}

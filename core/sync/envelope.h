// What the sync keeps beside a message's raw bytes for display: From, Subject, Date and
// Message-ID from its header, unfolded, with RFC 2047 encoded words in UTF-8 or US-ASCII decoded
// (other charsets are left as sent). The raw message is never changed.
#pragma once

#include <string>
#include <string_view>

namespace md::sync {

struct Envelope {
  std::string from;
  std::string subject;
  std::string date;
  std::string message_id;
};

// Reads the header (up to the first empty line, at most the first 256 KiB). Missing fields are empty.
Envelope parse_envelope(std::string_view message);

// "=?UTF-8?B?…?=" / "=?utf-8?q?…?=" words decoded; whitespace between two encoded words dropped.
std::string decode_encoded_words(std::string_view text);

}  // namespace md::sync

// The stored messages as a Maildir (cur/new/tmp), byte for byte as the server sent them. File
// names are stable (IMAP: maildoctor.<uidvalidity>.<uid>, POP3: maildoctor.pop3.<uidl in hex>)
// so exporting again replaces files instead of adding copies; IMAP flags become the Maildir info
// (":2,FRS"). Each file is written in tmp/ and renamed into cur/: a reader never sees half a message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "result.h"
#include "store/database.h"

namespace md::sync {

struct ExportSummary {
  uint64_t messages = 0;
  uint64_t bytes = 0;
};

// Failures: export.failed (the folder cannot be created or written; the detail names the file),
// store.*.
Result<ExportSummary> export_maildir(store::Database& db, std::string_view account, const std::filesystem::path& dir);

// "\Seen \Flagged" → "FS" (Maildir letters in ASCII order; unknown flags are left out).
std::string maildir_info_flags(std::string_view imap_flags);

}  // namespace md::sync

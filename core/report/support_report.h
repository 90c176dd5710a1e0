// The support report of one account: one JSON document (or, for a file ending in .html, a
// self-contained HTML rendering of it) with the app, OS and library versions, the account's
// settings without its secrets (TLS verification shown at the top), token status, the last check,
// the sync status and the tail of the protocol log. The account's saved secrets are registered with
// the redactor first and every string passes through it once more before it is written; the file
// appears whole (temp file + rename, 0600) or not at all. `maildoctor report` and the window's
// "Save report..." both write it.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "accounts/account.h"
#include "datadir.h"
#include "protolog/redactor.h"
#include "result.h"
#include "store/database.h"

namespace md::report {

struct WrittenReport {
  std::filesystem::path path;
  bool html = false;
  size_t log_lines = 0;
  bool tls_verification_off = false;
};

// report.write_failed when the file cannot be written (nothing partial is left), store.* when the
// database cannot be read.
Result<WrittenReport> write_support_report(store::Database& db, const DataLayout& layout, const accounts::Account& a,
                                           const std::filesystem::path& target, protolog::Redactor& redactor);

// The account's saved secrets (password, client secret, tokens) handed to `protect`, so they can be
// masked wherever they might still appear. No key file: nothing was ever sealed, nothing is read.
Result<void> protect_account_secrets(store::Database& db, const DataLayout& layout, const std::string& account,
                                     const std::function<void(std::string_view)>& protect);

// Writes `content` to `target` whole or not at all: a temp file in the same folder, owner-only from
// creation (or readable by all with `others_may_read`: a metrics textfile another user's exporter
// reads), flushed, renamed over the target. report.write_failed naming the file otherwise.
Result<void> write_file_atomically(const std::filesystem::path& target, const std::string& content,
                                   bool others_may_read = false);

// Where the window saves files for the user: the data dir's reports/ folder, named after the
// account, what it is and the time ("reports/alice-report-20261129-101500.html").
std::filesystem::path saved_file_path(const DataLayout& layout, const std::string& account, std::string_view what,
                                      std::string_view extension, std::chrono::system_clock::time_point now);

}  // namespace md::report

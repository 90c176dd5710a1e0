// MailDoctor's health as metrics: per account, what the window and `status` show (token, last
// check, last sync, mailbox counter, stored messages, last counter reset), read from the store by
// the modules that own each of them. No network work: a scrape costs a few queries.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics/check_report.h"
#include "monitoring/exposition.h"
#include "result.h"
#include "store/database.h"
#include "sync/sync_status.h"
#include "tokens/token_service.h"

namespace md::monitoring {

// One account as the metrics see it, gathered from the store.
struct AccountSnapshot {
  std::string account;
  std::string provider;                      // gmail, microsoft, custom
  std::string protocol;                      // what it downloads with (imap, else pop3); smtp when it only sends
  std::string auth;                          // oauth2 or password
  std::optional<tokens::TokenStatus> token;  // OAuth accounts only
  std::optional<diagnostics::CheckReport> last_check;  // nullopt: never checked
  std::optional<sync::SyncStatus> sync;                // nullopt: no IMAP or POP3 server
  int64_t counter_resets = 0;
};

// Every account of the store. store.* failures.
Result<std::vector<AccountSnapshot>> collect(store::Database& db);

// The metric families for these accounts, `now` being the moment of the scrape (the token's seconds
// left are counted from it). Every account series carries the labels account, provider, protocol.
std::vector<MetricFamily> account_families(const std::vector<AccountSnapshot>& accounts,
                                           std::chrono::system_clock::time_point now);

// The whole exposition: build info, the accounts' families and when it was generated.
std::string exposition(const std::vector<AccountSnapshot>& accounts, std::chrono::system_clock::time_point now);

// collect() then exposition(), as `maildoctor metrics` and `serve --metrics` answer.
Result<std::string> exposition(store::Database& db, std::chrono::system_clock::time_point now);

}  // namespace md::monitoring

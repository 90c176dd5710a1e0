#include "monitoring/account_metrics.h"

#include "accounts/repository.h"
#include "diagnostics/last_check.h"
#include "sync/message_store.h"
#include "sync/sync.h"
#include "util/time.h"
#include "version.h"

namespace md::monitoring {
namespace {

using std::chrono::system_clock;

double seconds_since_epoch(system_clock::time_point t) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

// An ISO 8601 time from the store as a Unix timestamp; nullopt when absent or unreadable.
std::optional<double> timestamp(const std::optional<std::string>& iso) {
  if (!iso) return std::nullopt;
  auto t = util::parse_iso8601(*iso);
  if (!t) return std::nullopt;
  return seconds_since_epoch(*t);
}

Labels base(const AccountSnapshot& a) {
  return {{"account", a.account}, {"provider", a.provider}, {"protocol", a.protocol}};
}

Labels with(Labels labels, std::initializer_list<std::pair<std::string, std::string>> more) {
  labels.insert(labels.end(), more.begin(), more.end());
  return labels;
}

// The families in the order they are written, each with its help (the user guide lists the same).
struct Families {
  MetricFamily info{"maildoctor_account_info",
                    "An account MailDoctor looks after (always 1); auth is oauth2 or password.",
                    MetricType::gauge,
                    {}};
  MetricFamily signed_in{"maildoctor_token_signed_in",
                         "1 when an OAuth account has a saved sign-in (access or refresh token), 0 when it has none.",
                         MetricType::gauge,
                         {}};
  MetricFamily refreshable{
      "maildoctor_token_refreshable",
      "1 when the sign-in can still renew itself (a refresh token the provider has not refused), 0 when someone must "
      "sign in again.",
      MetricType::gauge,
      {}};
  MetricFamily refresh_error{"maildoctor_token_refresh_error",
                             "1 when the last token refresh failed, with its failure code (oauth.invalid_grant: the "
                             "provider refused the sign-in); 0 with an empty code otherwise.",
                             MetricType::gauge,
                             {}};
  MetricFamily remaining{"maildoctor_access_token_remaining_seconds",
                         "Seconds until the access token expires (0 once expired).",
                         MetricType::gauge,
                         {}};
  MetricFamily expiry{"maildoctor_access_token_expiry_timestamp_seconds",
                      "When the access token expires, as a Unix time.",
                      MetricType::gauge,
                      {}};
  MetricFamily last_refresh{"maildoctor_token_last_refresh_timestamp_seconds",
                            "When the access token was last refreshed, as a Unix time.",
                            MetricType::gauge,
                            {}};
  MetricFamily refresh_issued{"maildoctor_refresh_token_issued_timestamp_seconds",
                              "When the saved refresh token was issued (signed in, or rotated), as a Unix time.",
                              MetricType::gauge,
                              {}};
  MetricFamily check_success{"maildoctor_check_success",
                             "1 when the last check passed (warnings allowed), 0 when a step failed; step and code "
                             "name the first failed step and its failure code.",
                             MetricType::gauge,
                             {}};
  MetricFamily check_time{"maildoctor_check_last_run_timestamp_seconds",
                          "When the last check started, as a Unix time.",
                          MetricType::gauge,
                          {}};
  MetricFamily check_failed{
      "maildoctor_check_failed_steps", "Steps of the last check that failed.", MetricType::gauge, {}};
  MetricFamily check_warned{
      "maildoctor_check_warning_steps", "Steps of the last check that passed with a warning.", MetricType::gauge, {}};
  MetricFamily check_duration{
      "maildoctor_check_duration_seconds", "How long the last check's steps took in all.", MetricType::gauge, {}};
  MetricFamily sync_success{"maildoctor_sync_success",
                            "1 when the last sync succeeded, 0 when it failed or was cancelled; result is ok, "
                            "cancelled or the failure code.",
                            MetricType::gauge,
                            {}};
  MetricFamily sync_time{
      "maildoctor_sync_last_run_timestamp_seconds", "When the last sync ended, as a Unix time.", MetricType::gauge, {}};
  MetricFamily sync_downloaded{"maildoctor_sync_last_downloaded_messages",
                               "Messages the last successful sync downloaded.",
                               MetricType::gauge,
                               {}};
  MetricFamily uidvalidity{
      "maildoctor_mailbox_uidvalidity", "The IMAP INBOX's UIDVALIDITY the counter belongs to.", MetricType::gauge, {}};
  MetricFamily last_uid{"maildoctor_mailbox_last_uid",
                        "The download counter: every IMAP message up to this UID is stored.",
                        MetricType::gauge,
                        {}};
  MetricFamily pop3_uidls{"maildoctor_mailbox_pop3_downloaded_messages",
                          "POP3's download counter: messages (UIDLs) counted as downloaded.",
                          MetricType::gauge,
                          {}};
  MetricFamily stored_messages{
      "maildoctor_stored_messages", "Messages in the local store for this protocol.", MetricType::gauge, {}};
  MetricFamily stored_bytes{
      "maildoctor_stored_bytes", "Bytes of the messages in the local store for this protocol.", MetricType::gauge, {}};
  MetricFamily last_reset{"maildoctor_mailbox_last_reset_timestamp_seconds",
                          "When an admin last reset the download counter, as a Unix time.",
                          MetricType::gauge,
                          {}};
  MetricFamily resets{"maildoctor_mailbox_resets_total",
                      "Download counter resets by an admin, from the audit log.",
                      MetricType::counter,
                      {}};

  std::vector<MetricFamily> all() && {
    return {std::move(info),           std::move(signed_in),    std::move(refreshable),  std::move(refresh_error),
            std::move(remaining),      std::move(expiry),       std::move(last_refresh), std::move(refresh_issued),
            std::move(check_success),  std::move(check_time),   std::move(check_failed), std::move(check_warned),
            std::move(check_duration), std::move(sync_success), std::move(sync_time),    std::move(sync_downloaded),
            std::move(uidvalidity),    std::move(last_uid),     std::move(pop3_uidls),   std::move(stored_messages),
            std::move(stored_bytes),   std::move(last_reset),   std::move(resets)};
  }
};

void add_token(Families& f, const AccountSnapshot& a, const tokens::TokenStatus& t, system_clock::time_point now) {
  const Labels l = base(a);
  f.signed_in.add(l, t.signed_in ? 1 : 0);
  f.refreshable.add(l, t.refreshable ? 1 : 0);
  f.refresh_error.add(with(l, {{"code", t.last_error ? t.last_error->code : ""}}), t.last_error ? 1 : 0);
  if (t.expires_at) {
    f.remaining.add(l, static_cast<double>(t.seconds_left(now)));
    f.expiry.add(l, seconds_since_epoch(*t.expires_at));
  }
  if (t.last_refresh_at) f.last_refresh.add(l, seconds_since_epoch(*t.last_refresh_at));
  if (t.refresh_token_saved && t.refresh_issued_at) f.refresh_issued.add(l, seconds_since_epoch(*t.refresh_issued_at));
}

void add_check(Families& f, const AccountSnapshot& a, const diagnostics::CheckReport& r) {
  const Labels l = base(a);
  const diagnostics::StepResult* failed = r.first_failure();
  std::string code;
  if (failed) code = failed->failure ? failed->failure->code : "";
  f.check_success.add(with(l, {{"step", failed ? failed->id : ""}, {"code", code}}), failed ? 0 : 1);
  f.check_time.add(l, seconds_since_epoch(r.started_at));
  long long failures = 0, warnings = 0, ms = 0;
  for (const diagnostics::StepResult& s : r.steps) {
    failures += s.status == diagnostics::StepStatus::fail;
    warnings += s.status == diagnostics::StepStatus::warn;
    ms += s.duration_ms;
  }
  f.check_failed.add(l, static_cast<double>(failures));
  f.check_warned.add(l, static_cast<double>(warnings));
  f.check_duration.add(l, static_cast<double>(ms) / 1000.0);
}

void add_sync(Families& f, const AccountSnapshot& a, const sync::SyncStatus& s) {
  const Labels l = base(a);
  if (const auto& st = s.state) {
    if (st->last_sync_result) {
      f.sync_success.add(with(l, {{"result", *st->last_sync_result}}), *st->last_sync_result == "ok" ? 1 : 0);
      if (auto at = timestamp(st->last_sync_at)) f.sync_time.add(l, *at);
      if (auto n = sync::last_sync_downloaded(*st)) f.sync_downloaded.add(l, static_cast<double>(*n));
    }
    if (st->protocol == accounts::Protocol::imap) {
      if (st->uidvalidity) f.uidvalidity.add(l, *st->uidvalidity);
      f.last_uid.add(l, st->last_uid);
    }
  }
  if (s.protocol == accounts::Protocol::pop3) f.pop3_uidls.add(l, static_cast<double>(s.pop3_uidls));
  f.stored_messages.add(l, static_cast<double>(s.stored.messages));
  f.stored_bytes.add(l, static_cast<double>(s.stored.bytes));
  if (s.last_reset) {
    if (auto at = timestamp(s.last_reset->at)) f.last_reset.add(l, *at);
  }
}

}  // namespace

Result<std::vector<AccountSnapshot>> collect(store::Database& db) {
  auto list = accounts::list_accounts(db);
  if (!list) return list.failure();
  std::vector<AccountSnapshot> out;
  try {
    for (const accounts::Account& a : list.value()) {
      AccountSnapshot& s = out.emplace_back();
      s.account = a.name;
      s.provider = accounts::to_string(a.provider);
      s.auth = accounts::to_string(a.auth);
      auto protocol = sync::sync_protocol(a, std::nullopt);
      s.protocol = protocol ? accounts::to_string(protocol.value()) : accounts::to_string(accounts::Protocol::smtp);
      if (a.auth == accounts::AuthMethod::oauth2) {
        auto t = tokens::load_status(db, a.name);
        if (!t) return t.failure();
        s.token = t.value();
      }
      auto text = diagnostics::load_last_check(db, a.name);
      if (!text) return text.failure();
      if (text.value()) s.last_check = diagnostics::parse_check_report(*text.value());
      if (protocol) {
        auto status = sync::load_sync_status(db, a.name, protocol.value());
        if (!status) return status.failure();
        s.sync = status.value();
      }
      auto resets = sync::counter_resets(db, a.name);
      if (!resets) return resets.failure();
      s.counter_resets = resets.value();
    }
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  return out;
}

std::vector<MetricFamily> account_families(const std::vector<AccountSnapshot>& accounts, system_clock::time_point now) {
  Families f;
  for (const AccountSnapshot& a : accounts) {
    f.info.add(with(base(a), {{"auth", a.auth}}), 1);
    if (a.token) add_token(f, a, *a.token, now);
    if (a.last_check) add_check(f, a, *a.last_check);
    if (a.sync) add_sync(f, a, *a.sync);
    f.resets.add(base(a), static_cast<double>(a.counter_resets));
  }
  return std::move(f).all();
}

std::string exposition(const std::vector<AccountSnapshot>& accounts, system_clock::time_point now) {
  std::vector<MetricFamily> families;
  families.push_back(MetricFamily{"maildoctor_build_info",
                                  "The MailDoctor that wrote these metrics (always 1).",
                                  MetricType::gauge,
                                  {{{{"version", MAILDOCTOR_VERSION}}, 1}}});
  families.push_back(MetricFamily{"maildoctor_accounts",
                                  "Accounts in this data dir.",
                                  MetricType::gauge,
                                  {{{}, static_cast<double>(accounts.size())}}});
  for (MetricFamily& f : account_families(accounts, now)) families.push_back(std::move(f));
  families.push_back(MetricFamily{"maildoctor_metrics_generated_timestamp_seconds",
                                  "When these metrics were read from the data dir, as a Unix time (a stale textfile "
                                  "shows here).",
                                  MetricType::gauge,
                                  {{{}, seconds_since_epoch(now)}}});
  return render(families);
}

Result<std::string> exposition(store::Database& db, system_clock::time_point now) {
  auto accounts = collect(db);
  if (!accounts) return accounts.failure();
  return exposition(accounts.value(), now);
}

}  // namespace md::monitoring

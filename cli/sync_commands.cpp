// sync, status, export and reset-counter: the mailbox download and its counter (core/sync).
//
//   sync NAME [--protocol imap|pop3] [--batch N] [--json]
//   status NAME [--protocol imap|pop3] [--json]
//   export NAME --maildir DIR [--json]
//   reset-counter NAME --admin USER [--password-stdin] [--yes] [--protocol imap|pop3] [--json]
//
// sync shows its progress on stderr when stderr is a terminal (count, bytes, rate, ETA) and stops
// cleanly on Ctrl-C: what was stored stays stored with its counter, the next sync continues.
// reset-counter verifies the admin first (wrong credentials change nothing: exit 1), then asks
// for a "yes" (unless --yes), then resets and audits in one transaction.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "accounts/repository.h"
#include "cli/account_access.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/run.h"
#include "diagnostics/last_check.h"
#include "ops/sync_ops.h"
#include "platform/console.h"
#include "sync/maildir_export.h"
#include "sync/sync.h"
#include "sync/sync_status.h"
#include "tokens/token_service.h"
#include "util/time.h"
#include "vault/vault.h"

namespace md::cli {
namespace {

using accounts::Protocol;
using nlohmann::json;

volatile std::sig_atomic_t g_interrupted = 0;

void on_interrupt(int) {
  g_interrupted = 1;
}

// SIGINT/SIGTERM set a flag the sync polls after every message, for the lifetime of this object.
class InterruptFlag {
 public:
  InterruptFlag() {
    g_interrupted = 0;
    old_int_ = std::signal(SIGINT, on_interrupt);
    old_term_ = std::signal(SIGTERM, on_interrupt);
  }
  ~InterruptFlag() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
  }
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;
  bool raised() const { return g_interrupted != 0; }

 private:
  void (*old_int_)(int) = SIG_DFL;
  void (*old_term_)(int) = SIG_DFL;
};

bool stderr_is_terminal() {
  return platform::is_terminal(stderr);
}

std::string mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

Result<std::optional<Protocol>> protocol_flag(CommandContext& ctx) {
  auto p = ctx.args.value("--protocol");
  if (!p) return std::optional<Protocol>();
  if (*p == "imap") return std::optional<Protocol>(Protocol::imap);
  if (*p == "pop3") return std::optional<Protocol>(Protocol::pop3);
  return fail("usage", "--protocol must be imap or pop3");
}

// Reads `<command> NAME` after the command's own flags were taken.
Result<std::string> one_name(CommandContext& ctx, std::string_view command) {
  if (auto r = ctx.args.finish(); !r) return r.failure();
  auto names = ctx.args.positionals();
  if (names.size() != 1) return fail("usage", std::string(command) + " needs exactly one account NAME");
  return names[0];
}

class ProgressLine {
 public:
  explicit ProgressLine(std::ostream& err) : err_(err), enabled_(stderr_is_terminal()) {}
  void update(const sync::Progress& p) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (p.done != p.total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
    std::string eta = rate > 0 && p.total > p.done
                          ? ", ETA " + std::to_string(static_cast<long>(std::ceil((p.total - p.done) / rate))) + " s"
                          : std::string();
    err_ << "\r  " << p.done << "/" << p.total << " messages, " << mib(p.bytes) << ", " << static_cast<long>(rate)
         << " messages/s" << eta << "      " << std::flush;
    shown_ = true;
  }
  void finish() {
    if (shown_) err_ << "\n" << std::flush;
    shown_ = false;
  }

 private:
  std::ostream& err_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int cmd_sync(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto wanted = protocol_flag(ctx);
  if (!wanted) return ctx.report(wanted.failure());
  auto batch = ctx.args.value("--batch");
  size_t batch_messages = sync::SyncOptions{}.batch_messages;
  if (batch) {
    char* end = nullptr;
    unsigned long n = std::strtoul(batch->c_str(), &end, 10);
    if (batch->empty() || *end != '\0' || n < 1 || n > 1000000)
      return ctx.report(fail("usage", "--batch takes a number of messages from 1 to 1000000"));
    batch_messages = n;
  }
  auto name = one_name(ctx, "sync");
  if (!name) return ctx.report(name.failure());
  auto opened = open_account(ctx, name.value());
  if (!opened) return ctx.report(opened.failure());
  const accounts::Account& a = opened.value().account;
  auto layout = ctx.layout();
  if (!layout) return ctx.report(layout.failure());

  InterruptFlag interrupt;
  ProgressLine progress(ctx.err);
  ops::SyncRequest request;
  request.protocol = wanted.value();
  request.batch_messages = batch_messages;
  request.transcript = ctx.transcript(a.name);
  request.protect = protect_secret(ctx);
  request.on_start = [&](const accounts::Account& account, Protocol protocol) {
    if (ctx.json) return;
    ctx.out << "Syncing " << account.name << " (" << account.email << ") over " << accounts::to_string(protocol)
            << "\n";
    ctx.out.flush();
  };
  request.on_progress = [&](const sync::Progress& p) { progress.update(p); };
  request.cancelled = [&] { return interrupt.raised(); };
  auto result = ops::sync_account(opened.value(), layout.value(), request);
  progress.finish();
  if (!result) return ctx.report(result.failure());
  const sync::SyncSummary& s = result.value();
  const double rate = s.seconds > 0 ? static_cast<double>(s.downloaded) / s.seconds : 0;
  if (ctx.json) {
    json doc = {{"ok", true},
                {"account", a.name},
                {"protocol", accounts::to_string(s.protocol)},
                {"downloaded", s.downloaded},
                {"bytes", s.bytes},
                {"seconds", std::round(s.seconds * 1000) / 1000},
                {"messages_per_second", std::round(rate)},
                {"uidvalidity", s.uidvalidity ? json(*s.uidvalidity) : json(nullptr)},
                {"last_uid", s.last_uid},
                {"server_messages", s.server_messages},
                {"stored_messages", s.stored_messages},
                {"uidvalidity_changed", s.previous_uidvalidity
                                            ? json{{"from", *s.previous_uidvalidity}, {"to", s.uidvalidity.value_or(0)}}
                                            : json(nullptr)}};
    ctx.emit(doc);
    return kExitOk;
  }
  if (s.previous_uidvalidity)
    ctx.out << "UIDVALIDITY changed from " << *s.previous_uidvalidity << " to " << s.uidvalidity.value_or(0)
            << ": the server renumbered INBOX, so the old UIDs mean nothing. The whole mailbox was downloaded "
               "again; messages stored before are kept.\n";
  ctx.out << "Downloaded " << s.downloaded << " new message(s), " << mib(s.bytes) << ", in " << one_decimal(s.seconds)
          << " s" << (s.downloaded > 0 ? " (" + std::to_string(std::lround(rate)) + " messages/s)" : std::string())
          << ".\n";
  if (s.protocol == Protocol::imap)
    ctx.out << "INBOX: UIDVALIDITY " << s.uidvalidity.value_or(0) << ", last synced UID " << s.last_uid << ", "
            << s.server_messages << " message(s) on the server, " << s.stored_messages << " stored here.\n";
  else
    ctx.out << "INBOX: " << s.server_messages << " message(s) on the server, " << s.stored_messages
            << " stored here.\n";
  return kExitOk;
}

int cmd_status(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto wanted = protocol_flag(ctx);
  if (!wanted) return ctx.report(wanted.failure());
  auto name = one_name(ctx, "status");
  if (!name) return ctx.report(name.failure());
  // Status reads no secret: it opens the account without its key, so it still answers -- and says
  // why -- when the key cannot be read.
  auto database = ctx.database();
  if (!database) return ctx.report(database.failure());
  store::Database& db = *database.value();
  auto loaded = accounts::load_account(db, name.value());
  if (!loaded) return ctx.report(loaded.failure());
  const accounts::Account& a = loaded.value();
  std::optional<Protocol> protocol;
  if (auto p = sync::sync_protocol(a, wanted.value()))
    protocol = p.value();
  else if (wanted.value())
    return ctx.report(p.failure());

  json doc = {{"ok", true}, {"account", a.name}, {"email", a.email}};
  auto status = sync::load_sync_status(db, a.name, protocol);
  if (!status) return ctx.report(status.failure());
  std::optional<json> last_check;
  auto stored_check = diagnostics::load_last_check(db, a.name);
  if (!stored_check) return ctx.report(stored_check.failure());
  if (stored_check.value()) {
    json check = json::parse(*stored_check.value(), nullptr, false);
    if (check.is_object())
      last_check = json{{"ok", check.value("ok", false)}, {"started_at", check.value("started_at", "")}};
  }
  doc.update(sync::to_json(status.value()));
  doc["last_check"] = last_check ? *last_check : json(nullptr);
  const std::optional<sync::MailboxState>& state = status.value().state;
  const std::optional<sync::LastReset>& reset = status.value().last_reset;
  const sync::StoredCounts& counts = status.value().stored;
  const sync::StoredCounts& all = status.value().stored_all_protocols;
  json token = nullptr;
  if (a.auth == accounts::AuthMethod::oauth2) {
    auto t = tokens::load_status(db, a.name);
    if (!t) return ctx.report(t.failure());
    token = tokens::to_json(t.value(), std::chrono::system_clock::now());
  }
  doc["token"] = token;
  // What guards the folder's key: the keyring, the key file or DPAPI; a key that cannot be read is
  // named with its code, and status still answers.
  std::optional<Failure> key_problem;
  if (auto layout = ctx.layout(); !layout) {
    key_problem = layout.failure();
  } else if (auto protection = vault::key_protection(layout.value().vault_key())) {
    doc["key_protection"] = protection.value();
  } else {
    key_problem = protection.failure();
  }
  if (key_problem) {
    doc["key_protection"] = "unreadable (" + key_problem->code + ")";
    doc["key_protection_error"] = {{"code", key_problem->code}, {"detail", key_problem->detail}};
  }
  if (ctx.json) {
    ctx.emit(doc);
    return kExitOk;
  }
  auto text = [](const json& v, const char* none) { return v.is_null() ? std::string(none) : v.dump(); };
  ctx.out << a.name << " (" << a.email << ")\n";
  if (!protocol) {
    ctx.out << "  no IMAP or POP3 server set up: nothing to sync\n";
  } else if (*protocol == Protocol::imap) {
    ctx.out << "  IMAP INBOX      UIDVALIDITY " << text(doc["uidvalidity"], "(not synced yet)") << ", last synced UID "
            << doc["last_uid"].get<uint64_t>() << "\n";
  } else {
    ctx.out << "  POP3 INBOX      " << status.value().pop3_uidls << " message(s) counted as downloaded (UIDLs)\n";
  }
  ctx.out << "  stored          " << counts.messages << " message(s), " << mib(static_cast<uint64_t>(counts.bytes))
          << (all.messages != counts.messages ? " (" + std::to_string(all.messages) + " with the other protocol's)"
                                              : std::string())
          << "\n";
  if (state && state->last_sync_at)
    ctx.out << "  last sync       " << *state->last_sync_at << ": " << state->last_sync_result.value_or("?")
            << (state->last_sync_detail ? " (" + *state->last_sync_detail + ")" : std::string()) << "\n";
  else
    ctx.out << "  last sync       never\n";
  ctx.out << "  last reset      " << (reset ? reset->at + " by " + reset->admin : std::string("never")) << "\n";
  if (last_check)
    ctx.out << "  last check      " << (*last_check)["started_at"].get<std::string>() << ": "
            << ((*last_check)["ok"].get<bool>() ? "all passed" : "failed (maildoctor check " + a.name + ")") << "\n";
  ctx.out << "  key             " << doc["key_protection"].get<std::string>()
          << (key_problem ? ": " + key_problem->detail : std::string()) << "\n";
  if (!token.is_null())
    ctx.out << "  token           "
            << (!token.value("signed_in", false) ? std::string("not signed in (maildoctor auth " + a.name + ")")
                : token.value("seconds_left", json(nullptr)).is_number()
                    ? std::to_string(token["seconds_left"].get<long long>()) + " s left"
                    : std::string("no expiry known"))
            << "\n";
  return kExitOk;
}

int cmd_export(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto dir = ctx.args.value("--maildir");
  auto name = one_name(ctx, "export");
  if (!name) return ctx.report(name.failure());
  if (!dir || dir->empty()) return ctx.report(fail("usage", "export needs --maildir DIR"));
  auto opened = open_account(ctx, name.value());
  if (!opened) return ctx.report(opened.failure());
  auto result = sync::export_maildir(*opened.value().db, opened.value().account.name, *dir);
  if (!result) return ctx.report(result.failure());
  if (ctx.json) {
    ctx.emit({{"ok", true},
              {"account", opened.value().account.name},
              {"maildir", *dir},
              {"exported", result.value().messages},
              {"bytes", result.value().bytes}});
  } else {
    ctx.out << "Exported " << result.value().messages << " message(s), " << mib(result.value().bytes) << ", to " << *dir
            << " (Maildir).\n";
  }
  return kExitOk;
}

int cmd_reset_counter(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto admin_user = ctx.args.value("--admin");
  const bool password_stdin = ctx.args.flag("--password-stdin");
  const bool yes = ctx.args.flag("--yes");
  auto wanted = protocol_flag(ctx);
  if (!wanted) return ctx.report(wanted.failure());
  auto name = one_name(ctx, "reset-counter");
  if (!name) return ctx.report(name.failure());
  if (!admin_user)
    return ctx.report(fail("usage", "reset-counter needs --admin USER: only an admin may reset a counter"));
  auto opened = open_account(ctx, name.value());
  if (!opened) return ctx.report(opened.failure());
  const accounts::Account& a = opened.value().account;
  store::Database& db = *opened.value().db;
  auto protocol = sync::sync_protocol(a, wanted.value());
  if (!protocol) return ctx.report(protocol.failure());
  auto layout = ctx.layout();
  if (!layout) return ctx.report(layout.failure());

  auto input = PasswordInput::open(ctx, password_stdin, "reset-counter");
  if (!input) return ctx.report(input.failure());
  auto password = input.value().existing("Password of admin '" + *admin_user + "': ", "admin password");
  if (!password) return ctx.report(password.failure());
  ops::AdminProof proof{*admin_user, password.value().value, std::nullopt};
  password.value().wipe();
  auto session = ops::confirm_admin(db, proof, admin::Clock::now());
  std::fill(proof.password.begin(), proof.password.end(), '\0');
  if (!session) return ctx.report(session.failure());

  auto preview = ops::preview_reset(opened.value(), protocol.value());
  if (!preview) return ctx.report(preview.failure());
  if (!yes) {
    const sync::CounterReset& p = preview.value();
    std::string what =
        protocol.value() == Protocol::imap
            ? "IMAP counter of '" + a.name + "' (UIDVALIDITY " +
                  (p.old_uidvalidity ? std::to_string(*p.old_uidvalidity) : std::string("not synced yet")) +
                  ", last synced UID " + std::to_string(p.old_last_uid) + ") goes back to 0"
            : "POP3 counter of '" + a.name + "' (" + std::to_string(p.old_uidl_count) + " downloaded UIDLs) is cleared";
    auto confirmed = input.value().confirm("The " + what + ". The next sync downloads the whole mailbox again (" +
                                           std::to_string(p.will_download) +
                                           " message(s) already stored are replaced, not duplicated).\n"
                                           "Type yes to reset it: ");
    if (!confirmed) return ctx.report(confirmed.failure());
    if (!confirmed.value())
      return ctx.report(fail("admin.not_confirmed", "the reset of " + a.name + "'s counter was not confirmed"));
  }
  // The sync lock is held for the write only: a sync running now would write the counter back.
  const auto now = std::chrono::system_clock::now();
  auto reset = ops::reset_counter(opened.value(), layout.value(), protocol.value(), session.value(),
                                  admin::Confirmation::password, now);
  if (!reset) return ctx.report(reset.failure());
  const sync::CounterReset& done = reset.value();
  if (ctx.json) {
    json doc = {{"ok", true},
                {"account", a.name},
                {"protocol", accounts::to_string(protocol.value())},
                {"admin", session.value().user},
                {"at", util::format_iso8601(now)}};
    if (protocol.value() == Protocol::imap) {
      doc["old_uidvalidity"] = done.old_uidvalidity ? json(*done.old_uidvalidity) : json(nullptr);
      doc["old_last_uid"] = done.old_last_uid;
    } else {
      doc["old_uidl_count"] = done.old_uidl_count;
    }
    ctx.emit(doc);
  } else {
    ctx.out << "Counter of " << a.name << " reset by " << session.value().user << " (audited). Run 'maildoctor sync "
            << a.name << "' to download the whole mailbox again.\n";
  }
  return kExitOk;
}

}  // namespace md::cli

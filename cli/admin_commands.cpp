// admin add | passwd | remove | list: the admins who may reset mailbox counters (admin/admins.h).
//
//   admin add USER [--admin ADMIN] [--password-stdin] [--json]
//   admin passwd USER [--admin ADMIN] [--password-stdin] [--json]
//   admin remove USER [--admin ADMIN] [--password-stdin] [--json]
//   admin list [--json]
//
// Who may do what: the first admin is added by anyone (there is nobody to ask yet). After that,
// `add` needs an existing admin to sign in (--admin ADMIN). `passwd` and `remove` sign in as
// --admin ADMIN, by default USER themself: changing your own password needs your current one;
// another admin may set a new password for USER (a forgotten password; this also lifts a lockout).
// `list` needs no sign-in (it shows no secret).
//
// Passwords: with --password-stdin, one per line on standard input, in this order: the signing-in
// admin's password (when there is one), then the new password (add, passwd) once. Without it, on a
// terminal, each is asked for on stderr with echo off, and a new password twice. Not a terminal and
// no --password-stdin: a usage error (nothing would answer a prompt). A password never appears on
// stdout, stderr, in a failure or in the audit.
//
// Exit codes: 0 done; 1 refused (admin.bad_credentials, admin.locked_out, admin.exists,
// admin.weak_password, admin.not_authorized, admin.last_admin...); 2 usage (including an invalid
// admin name, and admin.not_found like accounts.not_found).
#include <optional>
#include <string>

#include "admin/admins.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/run.h"
#include "util/time.h"

namespace md::cli {

namespace {

using admin::AdminSession;
using admin::Clock;
using nlohmann::json;

// ---- shared by the commands ----

// Reports a failure; an invalid name and an unknown admin are usage errors (2), like accounts.
int refuse(CommandContext& ctx, const Failure& f) {
  int rc = ctx.report(f);
  if (f.code == "admin.invalid_name" || f.code == "admin.not_found") return kExitUsage;
  return rc;
}

struct Invocation {
  std::string user;
  std::optional<std::string> acting;  // --admin
  bool password_stdin = false;
};

// Reads `admin <verb> USER [--admin ADMIN] [--password-stdin] [--json]`.
Result<Invocation> read_invocation(CommandContext& ctx, std::string_view verb) {
  Invocation inv;
  ctx.json = ctx.args.flag("--json");
  inv.password_stdin = ctx.args.flag("--password-stdin");
  inv.acting = ctx.args.value("--admin");
  if (auto r = ctx.args.finish(); !r) return r.failure();
  auto names = ctx.args.positionals();
  if (names.size() != 1) return fail("usage", "admin " + std::string(verb) + " needs exactly one USER");
  inv.user = names[0];
  if (auto r = admin::check_admin_name(inv.user); !r) return r.failure();
  if (inv.acting) {
    if (auto r = admin::check_admin_name(*inv.acting); !r) return r.failure();
  }
  return inv;
}

std::string sign_in_prompt(const std::string& acting, const std::string& user, std::string_view verb) {
  if (acting == user && verb == "passwd") return "Current password for admin '" + acting + "': ";
  return "Password of admin '" + acting + "': ";
}

int done(CommandContext& ctx, const std::string& verb_past, const std::string& user,
         const std::optional<AdminSession>& by) {
  if (ctx.json) {
    ctx.emit({{"ok", true}, {verb_past, user}, {"by", by ? json(by->user) : json(nullptr)}});
    return kExitOk;
  }
  return kExitOk;
}

}  // namespace

int cmd_admin_add(CommandContext& ctx) {
  auto inv = read_invocation(ctx, "add");
  if (!inv) return refuse(ctx, inv.failure());
  const Invocation& a = inv.value();
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto existing = admin::list_admins(*db.value());
  if (!existing) return ctx.report(existing.failure());
  // Checked again when adding; here so nobody types passwords for nothing.
  if (!existing.value().empty() && !a.acting)
    return refuse(ctx, fail("admin.not_authorized",
                            "Admins exist already: adding another needs one of them to sign in (--admin ADMIN)."));
  for (const auto& info : existing.value())
    if (info.name == a.user)
      return refuse(ctx, fail("admin.exists", "An admin named '" + a.user + "' already exists."));

  auto input = PasswordInput::open(ctx, a.password_stdin, "admin add");
  if (!input) return ctx.report(input.failure());
  Secret acting_password;
  if (a.acting) {
    auto p = input.value().existing(sign_in_prompt(*a.acting, a.user, "add"), "password of admin " + *a.acting);
    if (!p) return ctx.report(p.failure());
    acting_password = std::move(p).value();
  }
  auto password = input.value().fresh(a.user);
  if (!password) return refuse(ctx, password.failure());
  // A weak new password is refused before anyone signs in: no sign-in attempt is spent on it.
  if (auto rules = admin::check_password_rules(password.value().value); !rules) return refuse(ctx, rules.failure());

  admin::Change change;
  change.now = Clock::now();
  if (a.acting) {
    auto session = admin::verify_admin(*db.value(), *a.acting, acting_password.value, change.now);
    if (!session) return refuse(ctx, session.failure());
    change.by = std::move(session).value();
  }
  if (auto r = admin::add_admin(*db.value(), a.user, password.value().value, change); !r)
    return refuse(ctx, r.failure());
  if (!ctx.json)
    ctx.out << "Added admin '" << a.user << "'"
            << (change.by ? " (by " + change.by->user + ")" : std::string(" (the first admin)")) << ".\n";
  return done(ctx, "added", a.user, change.by);
}

int cmd_admin_passwd(CommandContext& ctx) {
  auto inv = read_invocation(ctx, "passwd");
  if (!inv) return refuse(ctx, inv.failure());
  const Invocation& a = inv.value();
  const std::string acting = a.acting.value_or(a.user);
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());

  auto input = PasswordInput::open(ctx, a.password_stdin, "admin passwd");
  if (!input) return ctx.report(input.failure());
  auto acting_password = input.value().existing(sign_in_prompt(acting, a.user, "passwd"),
                                                acting == a.user ? "current password" : "password of admin " + acting);
  if (!acting_password) return ctx.report(acting_password.failure());
  auto password = input.value().fresh(a.user);
  if (!password) return refuse(ctx, password.failure());
  if (auto rules = admin::check_password_rules(password.value().value); !rules) return refuse(ctx, rules.failure());

  admin::Change change;
  change.now = Clock::now();
  auto session = admin::verify_admin(*db.value(), acting, acting_password.value().value, change.now);
  if (!session) return refuse(ctx, session.failure());
  change.by = std::move(session).value();
  if (auto r = admin::change_password(*db.value(), a.user, password.value().value, change); !r)
    return refuse(ctx, r.failure());
  if (!ctx.json)
    ctx.out << "Changed the password of admin '" << a.user << "'"
            << (acting == a.user ? std::string() : " (by " + acting + "; any lockout is lifted)") << ".\n";
  return done(ctx, "changed", a.user, change.by);
}

int cmd_admin_remove(CommandContext& ctx) {
  auto inv = read_invocation(ctx, "remove");
  if (!inv) return refuse(ctx, inv.failure());
  const Invocation& a = inv.value();
  const std::string acting = a.acting.value_or(a.user);
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());

  auto input = PasswordInput::open(ctx, a.password_stdin, "admin remove");
  if (!input) return ctx.report(input.failure());
  auto acting_password =
      input.value().existing(sign_in_prompt(acting, a.user, "remove"), "password of admin " + acting);
  if (!acting_password) return ctx.report(acting_password.failure());

  admin::Change change;
  change.now = Clock::now();
  auto session = admin::verify_admin(*db.value(), acting, acting_password.value().value, change.now);
  if (!session) return refuse(ctx, session.failure());
  change.by = std::move(session).value();
  if (auto r = admin::remove_admin(*db.value(), a.user, change); !r) return refuse(ctx, r.failure());
  if (!ctx.json) ctx.out << "Removed admin '" << a.user << "'. Their audit rows stay.\n";
  return done(ctx, "removed", a.user, change.by);
}

int cmd_admin_list(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  if (!ctx.args.positionals().empty()) return ctx.report(fail("usage", "admin list takes no USER"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto list = admin::list_admins(*db.value());
  if (!list) return ctx.report(list.failure());
  const auto now = Clock::now();
  auto locked_until_text = [&](const admin::AdminInfo& a) -> std::optional<std::string> {
    if (!a.locked_at(now)) return std::nullopt;
    if (a.lock_unreadable || !a.locked_until) return std::string("unknown");
    return util::format_iso8601(*a.locked_until);
  };
  if (ctx.json) {
    json arr = json::array();
    for (const auto& a : list.value()) {
      auto until = locked_until_text(a);
      arr.push_back({{"name", a.name},
                     {"created_at", a.created_at},
                     {"locked", a.locked_at(now)},
                     {"locked_until", until ? json(*until) : json(nullptr)},
                     {"failed_attempts", a.failed_attempts},
                     {"lockouts", a.lockouts}});
    }
    ctx.emit({{"admins", arr}});
    return kExitOk;
  }
  if (list.value().empty()) {
    ctx.out << "No admins yet. Add the first with 'maildoctor admin add NAME'.\n";
    return kExitOk;
  }
  for (const auto& a : list.value()) {
    ctx.out << a.name << "\tsince " << a.created_at << "\t";
    if (auto until = locked_until_text(a))
      ctx.out << "LOCKED until " << *until;
    else if (a.failed_attempts > 0)
      ctx.out << a.failed_attempts << " wrong password" << (a.failed_attempts == 1 ? "" : "s") << " since last sign-in";
    else
      ctx.out << "ok";
    ctx.out << "\n";
  }
  return kExitOk;
}

}  // namespace md::cli

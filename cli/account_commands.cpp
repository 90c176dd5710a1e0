// account add | edit | list | show | remove.
#include <ostream>

#include "accounts/presets.h"
#include "accounts/repository.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/run.h"
#include "oauth/discovery.h"
#include "oauth/token_endpoint.h"
#include "ops/account_ops.h"
#include "tokens/token_service.h"
#include "vault/vault.h"

namespace md::cli {
namespace {

using accounts::Account;
using accounts::Protocol;
using accounts::Security;
using nlohmann::json;

Result<void> read_endpoint(CommandContext& ctx, Protocol p, accounts::ServerEndpoint& e,
                           const std::optional<Security>& all_security) {
  const std::string name = accounts::to_string(p);
  if (auto v = ctx.args.value("--" + name)) {
    if (*v == "off" || *v == "none") {
      e = {};
    } else {
      auto hp = accounts::parse_host_port(*v, "--" + name);
      if (!hp) return hp.failure();
      e.enabled = true;
      e.host = hp.value().first;
      e.port = hp.value().second;
      e.security = accounts::default_security(e.port);
    }
  }
  std::optional<Security> sec = all_security;
  if (auto v = ctx.args.value("--" + name + "-security")) {
    sec = accounts::parse_security(*v);
    if (!sec) return fail("usage", "--" + name + "-security must be tls, starttls or none");
  }
  if (sec && e.enabled) e.security = *sec;
  return {};
}

std::string describe_endpoint(const accounts::ServerEndpoint& e) {
  if (!e.enabled) return "off";
  std::string s = e.host + ":" + std::to_string(e.port) + " ";
  switch (e.security) {
    case Security::tls: s += "(TLS)"; break;
    case Security::starttls: s += "(STARTTLS)"; break;
    case Security::none: s += "(NO ENCRYPTION)"; break;
  }
  return s;
}

Result<vault::Vault> open_vault(CommandContext& ctx) {
  auto layout = ctx.layout();
  if (!layout) return layout.failure();
  return vault::Vault::open(layout.value().vault_key());
}

}  // namespace

namespace {

// The settings flags `account add` and `account edit` share, applied over `a` (a flag not given keeps
// what `a` has). The secrets are returned, never put into the account.
struct SecretFlags {
  bool password_stdin = false;
  std::optional<std::string> client_secret;
};

Result<SecretFlags> apply_setting_flags(CommandContext& ctx, Account& a) {
  std::optional<Security> all_security;
  if (auto v = ctx.args.value("--security")) {
    all_security = accounts::parse_security(*v);
    if (!all_security) return fail("usage", "--security must be tls, starttls or none");
  }
  for (Protocol p : {Protocol::imap, Protocol::pop3, Protocol::smtp}) {
    accounts::ServerEndpoint& e = p == Protocol::imap ? a.imap : p == Protocol::pop3 ? a.pop3 : a.smtp;
    if (auto r = read_endpoint(ctx, p, e, all_security); !r) return r.failure();
  }
  if (auto v = ctx.args.value("--auth")) {
    auto m = accounts::parse_auth_method(*v);
    if (!m) return fail("usage", "--auth must be oauth2 or password");
    a.auth = *m;
  }
  if (auto v = ctx.args.value("--username")) a.username = *v;
  SecretFlags secrets;
  secrets.password_stdin = ctx.args.flag("--password-stdin");
  if (secrets.password_stdin && a.auth != accounts::AuthMethod::password)
    return fail("usage", "--password-stdin needs --auth password");

  auto& o = a.oauth;
  const bool new_scopes = !ctx.args.values("--scope").empty();
  if (auto v = ctx.args.value("--issuer")) o.issuer = *v;
  if (auto v = ctx.args.value("--authorize-url")) o.authorize_url = *v;
  if (auto v = ctx.args.value("--token-url")) o.token_url = *v;
  if (auto v = ctx.args.value("--device-url")) o.device_url = *v;
  if (auto v = ctx.args.value("--revoke-url")) o.revoke_url = *v;
  if (auto v = ctx.args.value("--userinfo-url")) o.userinfo_url = *v;
  if (auto v = ctx.args.value("--client-id")) o.client_id = *v;
  secrets.client_secret = ctx.args.value("--client-secret");
  if (new_scopes) o.scopes = ctx.args.values("--scope");
  if (auto v = ctx.args.value("--mail-scope"))
    o.mail_scope = *v;
  else if (new_scopes && a.provider == accounts::Provider::custom)
    o.mail_scope.clear();  // inferred again from the new scopes
  if (a.auth == accounts::AuthMethod::oauth2 && o.mail_scope.empty() && !o.scopes.empty()) {
    // Not simply the first: "--scope openid --scope mail" must not make openid the mail permission.
    auto inferred = accounts::infer_mail_scope(o.scopes);
    if (!inferred) return inferred.failure();
    o.mail_scope = inferred.value();
  }
  if (auto v = ctx.args.value("--ca-file")) {
    if (v->empty())
      a.ca_file.reset();
    else
      a.ca_file = *v;
  }
  if (ctx.args.flag("--no-verify-tls")) a.verify_tls = false;
  if (ctx.args.flag("--verify-tls")) a.verify_tls = true;
  if (auto v = ctx.args.value("--timeout")) {
    try {
      size_t used = 0;
      a.timeout_s = std::stoi(*v, &used);
      if (used != v->size()) throw std::invalid_argument(*v);
    } catch (const std::exception&) {
      return fail("usage", "--timeout needs a whole number of seconds, not '" + *v + "'");
    }
  }
  return secrets;
}

}  // namespace

int cmd_account_add(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  Account a;
  auto provider_text = ctx.args.value("--provider");
  auto email = ctx.args.value("--email");
  if (!provider_text) return ctx.report(fail("usage", "account add needs --provider gmail|microsoft|custom"));
  if (!email) return ctx.report(fail("usage", "account add needs --email ADDR"));
  auto provider = accounts::parse_provider(*provider_text);
  if (!provider) return ctx.report(fail("usage", "--provider must be gmail, microsoft or custom"));
  a.email = *email;
  a.provider = *provider;
  accounts::apply_preset(a, ctx.args.value("--tenant").value_or(""));
  auto flags = apply_setting_flags(ctx, a);
  if (!flags) return ctx.report(flags.failure());
  const bool password_stdin = flags.value().password_stdin;
  const std::optional<std::string> client_secret = flags.value().client_secret;
  const auto& o = a.oauth;
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  // Positionals are known only once every flag has taken its value.
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "account add needs exactly one NAME"));
  a.name = names[0];
  if (auto r = ops::discover_endpoints(a, ctx.transcript(a.name)); !r) return ctx.report(r.failure());
  if (auto r = accounts::validate(a); !r) return ctx.report(r.failure());
  if (auto r = ops::check_account_files(a); !r) return ctx.report(r.failure());

  std::optional<std::string> password;
  if (password_stdin) {
    auto p = ctx.read_secret_line("password");
    if (!p) return ctx.report(p.failure());
    password = p.value();
  }

  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  std::optional<vault::Vault> v;
  if (password || client_secret) {
    auto opened = open_vault(ctx);
    if (!opened) return ctx.report(opened.failure());
    v = std::move(opened).value();
  }
  if (auto r = accounts::insert_account(*db.value(), a); !r) return ctx.report(r.failure());
  // The secrets follow the row they belong to; a failure here removes the half-made account.
  auto store_secret = [&](const char* kind, const std::string& value) -> Result<void> {
    return vault::put_secret(*db.value(), *v, a.name, kind, value);
  };
  for (auto [kind, value] : {std::pair{"password", password}, std::pair{"client_secret", client_secret}}) {
    if (!value) continue;
    if (auto r = store_secret(kind, *value); !r) {
      (void)accounts::remove_account(*db.value(), a.name);
      return ctx.report(r.failure());
    }
  }

  auto saved = accounts::load_account(*db.value(), a.name);
  if (!saved) return ctx.report(saved.failure());
  if (ctx.json) {
    json doc = accounts::to_json(saved.value());
    doc["secrets"] = vault::secret_presence(*db.value(), a.name);
    ctx.emit(doc);
    return kExitOk;
  }
  ctx.out << "Added account '" << a.name << "' (" << accounts::to_string(a.provider) << ", " << a.email << ")\n";
  ctx.out << "  IMAP  " << describe_endpoint(a.imap) << "\n";
  ctx.out << "  POP3  " << describe_endpoint(a.pop3) << "\n";
  ctx.out << "  SMTP  " << describe_endpoint(a.smtp) << "\n";
  if (!a.verify_tls) ctx.out << "  WARNING: TLS certificate verification is OFF for this account.\n";
  if (a.auth == accounts::AuthMethod::oauth2) {
    if (o.client_id.empty())
      ctx.out << "Next: register an OAuth client and add it with --client-id (see 'maildoctor auth " << a.name
              << "' for how), then sign in.\n";
    else
      ctx.out << "Next: sign in with 'maildoctor auth " << a.name << "'.\n";
  } else {
    ctx.out << "Next: run the checks with 'maildoctor check " << a.name << "'.\n";
  }
  return kExitOk;
}

int cmd_account_list(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  if (!ctx.args.positionals().empty()) return ctx.report(fail("usage", "account list takes no NAME"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto list = accounts::list_accounts(*db.value());
  if (!list) return ctx.report(list.failure());
  if (ctx.json) {
    json arr = json::array();
    for (const Account& a : list.value())
      arr.push_back({{"name", a.name},
                     {"email", a.email},
                     {"provider", accounts::to_string(a.provider)},
                     {"auth", accounts::to_string(a.auth)}});
    ctx.emit({{"accounts", arr}});
    return kExitOk;
  }
  if (list.value().empty()) {
    ctx.out << "No accounts yet. Add one with 'maildoctor account add NAME --provider gmail --email ADDR'.\n";
    return kExitOk;
  }
  for (const Account& a : list.value())
    ctx.out << a.name << "\t" << a.email << "\t" << accounts::to_string(a.provider) << "\t"
            << accounts::to_string(a.auth) << "\n";
  return kExitOk;
}

int cmd_account_show(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "account show needs exactly one NAME"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto a = accounts::load_account(*db.value(), names[0]);
  if (!a) return ctx.report(a.failure());
  json doc = accounts::to_json(a.value());
  doc["secrets"] = vault::secret_presence(*db.value(), a.value().name);
  if (ctx.json) {
    ctx.emit(doc);
    return kExitOk;
  }
  const Account& acc = a.value();
  ctx.out << acc.name << " <" << acc.email << ">  provider " << accounts::to_string(acc.provider) << ", sign-in "
          << accounts::to_string(acc.auth) << "\n";
  ctx.out << "  user name  " << acc.login_name() << "\n";
  ctx.out << "  IMAP       " << describe_endpoint(acc.imap) << "\n";
  ctx.out << "  POP3       " << describe_endpoint(acc.pop3) << "\n";
  ctx.out << "  SMTP       " << describe_endpoint(acc.smtp) << "\n";
  if (acc.auth == accounts::AuthMethod::oauth2) {
    ctx.out << "  authorize  " << acc.oauth.authorize_url << "\n";
    ctx.out << "  token      " << acc.oauth.token_url << "\n";
    ctx.out << "  client id  " << (acc.oauth.client_id.empty() ? "(none: register one)" : acc.oauth.client_id) << "\n";
    ctx.out << "  scopes     ";
    for (const auto& s : acc.oauth.scopes) ctx.out << s << " ";
    ctx.out << "\n";
  }
  ctx.out << "  timeout    " << acc.timeout_s << " s\n";
  if (acc.ca_file) ctx.out << "  CA file    " << *acc.ca_file << "\n";
  if (!acc.verify_tls) ctx.out << "  WARNING: TLS certificate verification is OFF for this account.\n";
  return kExitOk;
}

int cmd_account_edit(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto email = ctx.args.value("--email");
  if (ctx.args.value("--provider"))
    return ctx.report(fail("usage", "account edit cannot change the provider: add a new account for another one"));
  // Read every flag before the positionals: ArgReader knows them only then.
  Account a;
  auto flags = apply_setting_flags(ctx, a);
  (void)flags;
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "account edit needs exactly one NAME"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto loaded = accounts::load_account(*db.value(), names[0]);
  if (!loaded) return ctx.report(loaded.failure());
  a = loaded.value();
  if (email) a.email = *email;
  // The flags again, now over the saved settings (the first pass only made them known).
  auto applied = apply_setting_flags(ctx, a);
  if (!applied) return ctx.report(applied.failure());
  if (auto r = ops::discover_endpoints(a, ctx.transcript(a.name)); !r) return ctx.report(r.failure());

  ops::AccountEdit edit{a, std::nullopt, applied.value().client_secret};
  if (applied.value().password_stdin) {
    auto p = ctx.read_secret_line("password");
    if (!p) return ctx.report(p.failure());
    edit.password = p.value();
  }
  auto v = open_vault(ctx);
  if (!v) return ctx.report(v.failure());
  auto edited = ops::edit_account(*db.value(), v.value(), edit);
  if (!edited) return ctx.report(edited.failure());
  const Account& saved = edited.value().account;
  if (ctx.json) {
    json doc = accounts::to_json(saved);
    doc["secrets"] = vault::secret_presence(*db.value(), saved.name);
    doc["tokens_forgotten"] = edited.value().tokens_forgotten;
    ctx.emit(doc);
    return kExitOk;
  }
  ctx.out << "Updated account '" << saved.name << "' (" << accounts::to_string(saved.provider) << ", " << saved.email
          << ")\n";
  ctx.out << "  IMAP  " << describe_endpoint(saved.imap) << "\n";
  ctx.out << "  POP3  " << describe_endpoint(saved.pop3) << "\n";
  ctx.out << "  SMTP  " << describe_endpoint(saved.smtp) << "\n";
  if (!saved.verify_tls) ctx.out << "  WARNING: TLS certificate verification is OFF for this account.\n";
  if (edited.value().tokens_forgotten)
    ctx.out << "The saved sign-in was for the old settings and was forgotten: sign in with 'maildoctor auth "
            << saved.name << "'.\n";
  ctx.out << "Next: run the checks with 'maildoctor check " << saved.name << "'.\n";
  return kExitOk;
}

int cmd_account_remove(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto admin_user = ctx.args.value("--admin");
  const bool password_stdin = ctx.args.flag("--password-stdin");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "account remove needs exactly one NAME"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto account = accounts::load_account(*db.value(), names[0]);
  if (!account) return ctx.report(account.failure());

  // An admin only when the removal forgets a download counter (ops::remove_account says why).
  std::optional<admin::AdminSession> session;
  if (admin_user) {
    auto input = PasswordInput::open(ctx, password_stdin, "account remove");
    if (!input) return ctx.report(input.failure());
    auto password = input.value().existing("Password of admin '" + *admin_user + "': ", "admin password");
    if (!password) return ctx.report(password.failure());
    auto verified = admin::verify_admin(*db.value(), *admin_user, password.value().value, admin::Clock::now());
    password.value().wipe();
    if (!verified) return ctx.report(verified.failure());
    session = verified.value();
  }
  auto v = open_vault(ctx);
  if (v)
    if (auto t = vault::get_secret(*db.value(), v.value(), names[0], "refresh_token"); t && t.value())
      ctx.protect_secret(*t.value());
  auto removed = ops::remove_account(*db.value(), v ? &v.value() : nullptr, names[0], session, ctx.transcript(names[0]),
                                     admin::Clock::now());
  if (!removed) {
    if (removed.failure().code == "admin.not_authorized" && !ctx.json)
      ctx.err << "maildoctor: to remove it anyway, sign in as an admin: maildoctor account remove " << names[0]
              << " --admin USER\n";
    return ctx.report(removed.failure());
  }
  const std::string& revocation = removed.value().revocation;
  if (revocation == "failed" && !ctx.json)
    ctx.err << "maildoctor: could not revoke the sign-in at the provider (" << removed.value().revocation_failure->code
            << "): remove MailDoctor's access in the account's security settings.\n";
  if (ctx.json) {
    json doc = {{"ok", true}, {"removed", names[0]}, {"revocation", revocation}};
    if (session) doc["admin"] = session->user;
    doc["forgotten"] = {{"last_uid", removed.value().forgotten.last_uid},
                        {"pop3_uidls", removed.value().forgotten.pop3_uidls},
                        {"stored_messages", removed.value().forgotten.stored_messages}};
    ctx.emit(doc);
  } else {
    ctx.out << "Removed account '" << names[0] << "' and its saved secrets"
            << (revocation == "revoked" ? "; its sign-in was revoked at the provider" : "") << ".\n";
  }
  return kExitOk;
}

}  // namespace md::cli

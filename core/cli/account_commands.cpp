// account add | list | show | remove.
#include <ostream>

#include "accounts/presets.h"
#include "accounts/repository.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "oauth/discovery.h"
#include "oauth/token_endpoint.h"
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

  std::optional<Security> all_security;
  if (auto v = ctx.args.value("--security")) {
    all_security = accounts::parse_security(*v);
    if (!all_security) return ctx.report(fail("usage", "--security must be tls, starttls or none"));
  }
  for (Protocol p : {Protocol::imap, Protocol::pop3, Protocol::smtp}) {
    accounts::ServerEndpoint& e = p == Protocol::imap ? a.imap : p == Protocol::pop3 ? a.pop3 : a.smtp;
    if (auto r = read_endpoint(ctx, p, e, all_security); !r) return ctx.report(r.failure());
  }

  if (auto v = ctx.args.value("--auth")) {
    auto m = accounts::parse_auth_method(*v);
    if (!m) return ctx.report(fail("usage", "--auth must be oauth2 or password"));
    a.auth = *m;
  }
  a.username = ctx.args.value("--username").value_or("");
  const bool password_stdin = ctx.args.flag("--password-stdin");
  if (password_stdin && a.auth != accounts::AuthMethod::password)
    return ctx.report(fail("usage", "--password-stdin needs --auth password"));

  auto& o = a.oauth;
  if (auto v = ctx.args.value("--issuer")) o.issuer = *v;
  if (auto v = ctx.args.value("--authorize-url")) o.authorize_url = *v;
  if (auto v = ctx.args.value("--token-url")) o.token_url = *v;
  if (auto v = ctx.args.value("--device-url")) o.device_url = *v;
  if (auto v = ctx.args.value("--revoke-url")) o.revoke_url = *v;
  if (auto v = ctx.args.value("--userinfo-url")) o.userinfo_url = *v;
  if (auto v = ctx.args.value("--client-id")) o.client_id = *v;
  auto client_secret = ctx.args.value("--client-secret");
  if (auto scopes = ctx.args.values("--scope"); !scopes.empty()) o.scopes = scopes;
  if (auto v = ctx.args.value("--mail-scope")) o.mail_scope = *v;
  if (a.auth == accounts::AuthMethod::oauth2 && o.mail_scope.empty() && !o.scopes.empty()) {
    // Not simply the first: "--scope openid --scope mail" must not make openid the mail permission.
    auto inferred = accounts::infer_mail_scope(o.scopes);
    if (!inferred) return ctx.report(inferred.failure());
    o.mail_scope = inferred.value();
  }
  if (auto v = ctx.args.value("--ca-file")) a.ca_file = *v;
  if (ctx.args.flag("--no-verify-tls")) a.verify_tls = false;
  if (auto v = ctx.args.value("--timeout")) {
    try {
      size_t used = 0;
      a.timeout_s = std::stoi(*v, &used);
      if (used != v->size()) throw std::invalid_argument(*v);
    } catch (const std::exception&) {
      return ctx.report(fail("usage", "--timeout needs a whole number of seconds, not '" + *v + "'"));
    }
  }
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  // Positionals are known only once every flag has taken its value.
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "account add needs exactly one NAME"));
  a.name = names[0];
  // --issuer alone: the endpoints come from the issuer's OpenID configuration (explicit ones win).
  if (a.auth == accounts::AuthMethod::oauth2 && !o.issuer.empty() &&
      (o.authorize_url.empty() || o.token_url.empty() || o.userinfo_url.empty())) {
    oauth::ClientConfig base;
    base.authorize_url = o.authorize_url;
    base.token_url = o.token_url;
    base.device_url = o.device_url;
    base.revoke_url = o.revoke_url;
    base.userinfo_url = o.userinfo_url;
    base.http.ca_file = a.ca_file;
    base.http.timeout_s = a.timeout_s;
    base.http.verify_tls = a.verify_tls;
    auto found = oauth::discover(o.issuer, base, ctx.transcript(a.name));
    if (!found) return ctx.report(found.failure());
    o.authorize_url = found.value().authorize_url;
    o.token_url = found.value().token_url;
    o.device_url = found.value().device_url;
    o.revoke_url = found.value().revoke_url;
    o.userinfo_url = found.value().userinfo_url;
  }
  if (auto r = accounts::validate(a); !r) return ctx.report(r.failure());

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

int cmd_account_remove(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "account remove needs exactly one NAME"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto account = accounts::load_account(*db.value(), names[0]);
  if (!account) return ctx.report(account.failure());

  // Revoke at the provider first, so the grant does not outlive the account here. A provider
  // that cannot be reached does not keep the account: say so, and remove it anyway.
  std::string revocation = "none";
  if (account.value().auth == accounts::AuthMethod::oauth2 && !account.value().oauth.revoke_url.empty()) {
    auto v = open_vault(ctx);
    std::optional<std::string> refresh_token;
    if (v) {
      auto t = vault::get_secret(*db.value(), v.value(), account.value().name, "refresh_token");
      if (t && t.value()) refresh_token = *t.value();
    }
    auto cfg =
        v ? tokens::client_config(*db.value(), v.value(), account.value()) : Result<oauth::ClientConfig>(v.failure());
    if (refresh_token && cfg) {
      ctx.protect_secret(*refresh_token);
      auto revoked = oauth::revoke(cfg.value(), *refresh_token, "refresh_token", ctx.transcript(account.value().name));
      revocation = revoked ? "revoked" : "failed";
      if (!revoked && !ctx.json)
        ctx.err << "maildoctor: could not revoke the sign-in at the provider (" << revoked.failure().code
                << "): remove MailDoctor's access in the account's security settings.\n";
    }
  }
  if (auto r = accounts::remove_account(*db.value(), names[0]); !r) return ctx.report(r.failure());
  if (ctx.json)
    ctx.emit({{"ok", true}, {"removed", names[0]}, {"revocation", revocation}});
  else
    ctx.out << "Removed account '" << names[0] << "' and its saved secrets"
            << (revocation == "revoked" ? "; its sign-in was revoked at the provider" : "") << ".\n";
  return kExitOk;
}

}  // namespace md::cli

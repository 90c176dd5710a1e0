#include "cli/account_access.h"

#include "accounts/repository.h"
#include "tokens/token_service.h"

namespace md::cli {

Result<OpenedAccount> open_account(CommandContext& ctx, const std::string& name) {
  auto db = ctx.database();
  if (!db) return db.failure();
  auto account = accounts::load_account(*db.value(), name);
  if (!account) return account.failure();
  auto layout = ctx.layout();
  if (!layout) return layout.failure();
  auto v = vault::Vault::open(layout.value().vault_key());
  if (!v) return v.failure();
  return OpenedAccount{db.value(), std::move(v).value(), std::move(account).value()};
}

Result<std::string> sign_in_secret(CommandContext& ctx, const OpenedAccount& o) {
  const accounts::Account& a = o.account;
  if (a.auth == accounts::AuthMethod::password) {
    auto pw = vault::get_secret(*o.db, o.vault, a.name, "password");
    if (!pw) return pw.failure();
    if (!pw.value())
      return fail("auth.no_password", "no password is saved for '" + a.name + "': maildoctor account add " + a.name +
                                          " ... --auth password --password-stdin");
    ctx.protect_secret(*pw.value());
    return *pw.value();
  }
  auto fresh =
      tokens::fresh_access_token(*o.db, o.vault, a, tokens::kDefaultRefreshMargin, false, ctx.transcript(a.name));
  if (!fresh) return fresh.failure();
  ctx.protect_secret(fresh.value().access_token);
  return fresh.value().access_token;
}

}  // namespace md::cli

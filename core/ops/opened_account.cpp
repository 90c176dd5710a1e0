#include "ops/opened_account.h"

#include "accounts/repository.h"
#include "tokens/token_service.h"

namespace md::ops {

Result<OpenedAccount> open_account(store::Database& db, const DataLayout& layout, const std::string& name) {
  auto account = accounts::load_account(db, name);
  if (!account) return account.failure();
  auto v = vault::Vault::open(layout.vault_key());
  if (!v) return v.failure();
  return OpenedAccount{&db, std::move(v).value(), std::move(account).value()};
}

Result<std::string> sign_in_secret(const OpenedAccount& o, net::Transcript* http, const ProtectSecret& protect) {
  const accounts::Account& a = o.account;
  if (a.auth == accounts::AuthMethod::password) {
    auto pw = vault::get_secret(*o.db, o.vault, a.name, "password");
    if (!pw) return pw.failure();
    if (!pw.value())
      return fail("auth.no_password", "no password is saved for '" + a.name + "': maildoctor account add " + a.name +
                                          " ... --auth password --password-stdin");
    if (protect) protect(*pw.value());
    return *pw.value();
  }
  auto fresh = tokens::fresh_access_token(*o.db, o.vault, a, tokens::kDefaultRefreshMargin, false, http);
  if (!fresh) return fresh.failure();
  if (protect) protect(fresh.value().access_token);
  return fresh.value().access_token;
}

}  // namespace md::ops

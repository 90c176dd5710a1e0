#include "cli/account_access.h"

namespace md::cli {

Result<OpenedAccount> open_account(CommandContext& ctx, const std::string& name) {
  auto db = ctx.database();
  if (!db) return db.failure();
  auto layout = ctx.layout();
  if (!layout) return layout.failure();
  return ops::open_account(*db.value(), layout.value(), name);
}

Result<std::string> sign_in_secret(CommandContext& ctx, const OpenedAccount& o) {
  return ops::sign_in_secret(o, ctx.transcript(o.account.name), protect_secret(ctx));
}

ops::ProtectSecret protect_secret(CommandContext& ctx) {
  return [&ctx](std::string_view secret) { ctx.protect_secret(secret); };
}

}  // namespace md::cli

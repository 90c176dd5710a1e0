#include "ops/check_ops.h"

#include "diagnostics/last_check.h"

namespace md::ops {

Result<diagnostics::CheckReport> run_checks(const OpenedAccount& o, const CheckRequest& request) {
  const accounts::Account& a = o.account;
  diagnostics::LadderInputs in;
  if (a.auth == accounts::AuthMethod::password) {
    auto pw = vault::get_secret(*o.db, o.vault, a.name, "password");
    if (!pw) return pw.failure();
    in.password = pw.value();
    if (in.password && request.protect) request.protect(*in.password);
  }
  in.db = o.db;
  in.vault = &o.vault;
  in.protect_secret = request.protect;
  in.http_transcript = request.transcript;
  // The account's log takes every line, each under its own protocol (imap, pop3, smtp).
  if (net::Transcript* t = request.transcript)
    in.mail_transcript = [t](std::string_view proto, protolog::Direction d, std::string_view text) {
      t->line(proto, d, text);
    };
  in.on_step = request.on_step;
  in.cancelled = request.cancelled;
  auto report = diagnostics::run_ladder(a, in, request.options);
  diagnostics::save_last_check(*o.db, report);
  return report;
}

}  // namespace md::ops

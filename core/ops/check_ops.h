// Running an account's checks: one operation for `maildoctor check NAME`, the window's Run checks
// and the background schedule (the window's and `maildoctor serve`'s).
#pragma once

#include <functional>

#include "diagnostics/check_report.h"
#include "diagnostics/ladder.h"
#include "ops/opened_account.h"

namespace md::ops {

struct CheckRequest {
  diagnostics::LadderOptions options;
  net::Transcript* transcript = nullptr;  // the OAuth endpoints' HTTP and the mail servers' lines
  ProtectSecret protect;
  std::function<void(const diagnostics::StepResult&)> on_step;  // each finished step, in order
  std::function<bool()> cancelled;                              // asked between steps
};

// The ladder with the account's saved password or tokens; the report is kept as the account's
// last check (read back by `status`, the support report, the window after a restart). Fails only
// when the saved password cannot be read (vault.*): a step that fails is part of the report.
Result<diagnostics::CheckReport> run_checks(const OpenedAccount& opened, const CheckRequest& request);

}  // namespace md::ops

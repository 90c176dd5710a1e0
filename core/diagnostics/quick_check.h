// The installer's quick connectivity test (`check --provider gmail|microsoft`): no account, just
// dns → tcp → tls against every host a provider's accounts talk to (accounts::provider_hosts),
// plus whether an HTTP proxy is configured. Hosts are checked in parallel so a network where every
// lookup hangs still ends within one timeout per step.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "accounts/account.h"
#include "diagnostics/check_report.h"

namespace md::diagnostics {

struct QuickCheckOptions {
  std::chrono::milliseconds timeout{10000};  // per step
  // The environment, for the proxy step (tests pass their own).
  std::function<std::optional<std::string>(const char* name)> getenv;
  std::function<void(const StepResult&)> on_step;
};

// Step ids: "proxy", then "<role>.dns", "<role>.tcp", "<role>.tls" per host, role being
// sign-in, token, imap, pop3 or smtp.
CheckReport run_quick_check(accounts::Provider provider, const QuickCheckOptions& options);

// "http://user:secret@proxy:3128" → "http://user:***@proxy:3128".
std::string mask_proxy_credentials(std::string_view url);

}  // namespace md::diagnostics

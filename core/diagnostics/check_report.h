// The result of a check run: the ladder's steps in order, each pass / warn / fail / skip with its
// duration, detail, failure (code, reason, remedy) and evidence — and its `check --json` shape,
// which is a contract (DESIGN.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostics/catalogue.h"
#include "result.h"

namespace md::diagnostics {

enum class StepStatus { pass, warn, fail, skip };
const char* to_string(StepStatus s);

struct StepResult {
  std::string id;     // stable: "imap.tls", "oauth.token", "clock"
  std::string title;  // "TLS handshake with imap.example.test:993"
  StepStatus status = StepStatus::skip;
  long long duration_ms = 0;
  std::string detail;
  std::optional<Explanation> failure;  // for fail (and warn, when there is a code)
  std::vector<std::string> evidence;   // the server's own words, certificate fields, decoded JSON
};

struct CheckReport {
  std::string account;  // empty for the quick connectivity test
  std::chrono::system_clock::time_point started_at;
  std::vector<StepResult> steps;

  // Every step passed or warned (skips after a failure mean a failure came first).
  bool ok() const;
  // The first step that failed (the one whose reason a summary names); nullptr when none did.
  const StepResult* first_failure() const;
};

nlohmann::json to_json(const StepResult& step);
nlohmann::json to_json(const CheckReport& report);

}  // namespace md::diagnostics

// The Nagios / Monitoring Plugins convention for `check NAME --nagios`: one status line
// "MAILDOCTOR OK - reason | perfdata", exit codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and
// thresholds in the plugins' range syntax (Monitoring Plugins Development Guidelines, "Threshold and
// ranges" and "Performance data").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/check_report.h"
#include "result.h"
#include "tokens/token_service.h"

namespace md::monitoring {

enum class PluginState { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char* to_string(PluginState s);  // "OK", "WARNING", "CRITICAL", "UNKNOWN"

// A threshold range: `10` (alert outside 0..10), `10:` (below 10), `~:10` (above 10), `10:20`
// (outside 10..20), `@10:20` (inside 10..20, inclusive).
struct Range {
  std::optional<double> start;  // nullopt: -infinity (~)
  std::optional<double> end;    // nullopt: +infinity
  bool inside = false;          // '@': alert when the value is inside
  std::string text;             // as given, for the performance data

  // True when `value` should raise the alert this range is the threshold of.
  bool alerts(double value) const;
};
// usage failure naming what is wrong, e.g. "--warn-token-expiry: start 20 is above end 10".
Result<Range> parse_range(std::string_view text, std::string_view flag);

struct PerfDatum {
  std::string label;
  double value = 0;
  std::string uom;  // "s", "B", "c", "%" or ""
  std::string warn, crit;
  std::optional<double> min, max;
};
// 'label'=value[UOM];[warn];[crit];[min];[max] with trailing empty fields dropped.
std::string format_perfdata(const PerfDatum& d);

struct PluginResult {
  PluginState state = PluginState::unknown;
  std::string reason;  // one line; never contains '|'
  std::vector<PerfDatum> perfdata;
};
// "MAILDOCTOR STATE - reason | perf..." on one line, with a final newline.
std::string format_status_line(const PluginResult& r);

struct TokenThresholds {
  std::optional<Range> warn, crit;  // on the access token's seconds left
};

// The account's state from its check report and (OAuth accounts) token status after the check:
// CRITICAL when a step failed (the first failure's step, title and code) or the sign-in cannot renew
// itself, WARNING when a step warned, then the token thresholds, else OK.
PluginResult evaluate(const diagnostics::CheckReport& report, const std::optional<tokens::TokenStatus>& token,
                      const TokenThresholds& thresholds, std::chrono::system_clock::time_point now);

// UNKNOWN with a reason (bad arguments, an account that does not exist, an unreadable store).
PluginResult unknown(std::string_view reason);

}  // namespace md::monitoring

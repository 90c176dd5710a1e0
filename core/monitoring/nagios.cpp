#include "monitoring/nagios.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "monitoring/exposition.h"

namespace md::monitoring {
namespace {

using diagnostics::StepResult;
using diagnostics::StepStatus;

std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The plugin output is one line, and '|' starts the performance data.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else if (c == '|')
      out += '/';
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  return format_value(v);
}

}  // namespace

const char* to_string(PluginState s) {
  switch (s) {
    case PluginState::ok: return "OK";
    case PluginState::warning: return "WARNING";
    case PluginState::critical: return "CRITICAL";
    case PluginState::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

bool Range::alerts(double value) const {
  const bool in = (!start || value >= *start) && (!end || value <= *end);
  return inside ? in : !in;
}

Result<Range> parse_range(std::string_view text, std::string_view flag) {
  const std::string where = std::string(flag) + ": ";
  auto bad = [&](const std::string& why) {
    return fail("usage", where + "'" + std::string(text) + "' is not a Nagios range (" + why +
                             "; e.g. 10, 10:, ~:10, 10:20, @10:20)");
  };
  Range r;
  r.text = std::string(text);
  std::string_view s = text;
  if (s.empty()) return bad("empty");
  if (s.front() == '@') {
    r.inside = true;
    s.remove_prefix(1);
  }
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    // "10": 0..10.
    auto end = parse_number(s);
    if (!end) return bad("not a number");
    r.start = 0;
    r.end = *end;
  } else {
    std::string_view a = s.substr(0, colon), b = s.substr(colon + 1);
    if (b.find(':') != std::string_view::npos) return bad("more than one ':'");
    if (a == "~") {
      r.start.reset();
    } else if (a.empty()) {
      r.start = 0;
    } else {
      auto start = parse_number(a);
      if (!start) return bad("the start is not a number");
      r.start = *start;
    }
    if (!b.empty()) {
      auto end = parse_number(b);
      if (!end) return bad("the end is not a number");
      r.end = *end;
    }
  }
  if (r.start && r.end && *r.start > *r.end)
    return fail("usage", where + "start " + number(*r.start) + " is above end " + number(*r.end) + " in '" +
                             std::string(text) + "'");
  return r;
}

std::string format_perfdata(const PerfDatum& d) {
  std::string label = d.label;
  for (char& c : label)
    if (c == '\'' || c == '=') c = '_';
  std::vector<std::string> fields = {"'" + label + "'=" + number(d.value) + d.uom, d.warn, d.crit,
                                     d.min ? number(*d.min) : "", d.max ? number(*d.max) : ""};
  while (fields.size() > 1 && fields.back().empty()) fields.pop_back();
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? ";" : "") + fields[i];
  return out;
}

std::string format_status_line(const PluginResult& r) {
  std::string out = std::string("MAILDOCTOR ") + to_string(r.state) + " - " + one_line(r.reason);
  if (!r.perfdata.empty()) {
    out += " |";
    for (const PerfDatum& d : r.perfdata) out += " " + format_perfdata(d);
  }
  return out + "\n";
}

PluginResult evaluate(const diagnostics::CheckReport& report, const std::optional<tokens::TokenStatus>& token,
                      const TokenThresholds& thresholds, std::chrono::system_clock::time_point now) {
  PluginResult r;
  long long failed = 0, warned = 0, skipped = 0, ms = 0;
  const StepResult* first_warning = nullptr;
  for (const StepResult& s : report.steps) {
    failed += s.status == StepStatus::fail;
    warned += s.status == StepStatus::warn;
    skipped += s.status == StepStatus::skip;
    if (s.status == StepStatus::warn && !first_warning) first_warning = &s;
    ms += s.duration_ms;
  }
  std::optional<long long> seconds_left;
  if (token && token->expires_at) seconds_left = token->seconds_left(now);

  if (const StepResult* f = report.first_failure()) {
    r.state = PluginState::critical;
    r.reason = f->id + ": " + (f->failure ? f->failure->title + " [" + f->failure->code + "]" : f->title);
    if (failed > 1) r.reason += " (" + std::to_string(failed) + " steps failed)";
  } else if (token && (token->sign_in_dead() || (token->signed_in && !token->refreshable && seconds_left == 0LL))) {
    r.state = PluginState::critical;
    r.reason = "the sign-in cannot renew itself" +
               (token->last_error ? " [" + token->last_error->code + "]" : std::string()) + ": sign in again";
  } else if (seconds_left && thresholds.crit && thresholds.crit->alerts(static_cast<double>(*seconds_left))) {
    r.state = PluginState::critical;
    r.reason =
        "access token expires in " + std::to_string(*seconds_left) + " s (critical " + thresholds.crit->text + ")";
  } else if (first_warning) {
    r.state = PluginState::warning;
    r.reason = first_warning->id + ": " +
               (first_warning->failure ? first_warning->failure->title + " [" + first_warning->failure->code + "]"
                                       : first_warning->title);
  } else if (seconds_left && thresholds.warn && thresholds.warn->alerts(static_cast<double>(*seconds_left))) {
    r.state = PluginState::warning;
    r.reason =
        "access token expires in " + std::to_string(*seconds_left) + " s (warning " + thresholds.warn->text + ")";
  } else {
    r.state = PluginState::ok;
    r.reason = std::to_string(static_cast<long long>(report.steps.size()) - skipped) + " steps passed" +
               (skipped ? " (" + std::to_string(skipped) + " skipped)" : std::string()) +
               (seconds_left ? ", access token valid for " + std::to_string(*seconds_left) + " s" : std::string());
  }
  if (r.reason.empty()) r.reason = "no reason given";
  if (!report.account.empty()) r.reason = report.account + ": " + r.reason;

  if (seconds_left)
    r.perfdata.push_back({"token_seconds_left", static_cast<double>(*seconds_left), "s",
                          thresholds.warn ? thresholds.warn->text : "", thresholds.crit ? thresholds.crit->text : "", 0,
                          std::nullopt});
  const double steps = static_cast<double>(report.steps.size());
  r.perfdata.push_back({"failed_steps", static_cast<double>(failed), "", "", "", 0, steps});
  r.perfdata.push_back({"warning_steps", static_cast<double>(warned), "", "", "", 0, steps});
  r.perfdata.push_back({"check_duration", static_cast<double>(ms) / 1000.0, "s", "", "", 0, std::nullopt});
  return r;
}

PluginResult unknown(std::string_view reason) {
  return PluginResult{PluginState::unknown, std::string(reason), {}};
}

}  // namespace md::monitoring

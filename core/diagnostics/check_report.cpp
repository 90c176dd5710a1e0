#include "diagnostics/check_report.h"

#include "util/time.h"

namespace md::diagnostics {

const char* to_string(StepStatus s) {
  switch (s) {
    case StepStatus::pass: return "pass";
    case StepStatus::warn: return "warn";
    case StepStatus::fail: return "fail";
    case StepStatus::skip: return "skip";
  }
  return "skip";
}

bool CheckReport::ok() const {
  for (const StepResult& s : steps)
    if (s.status == StepStatus::fail) return false;
  return true;
}

const StepResult* CheckReport::first_failure() const {
  for (const StepResult& s : steps)
    if (s.status == StepStatus::fail) return &s;
  return nullptr;
}

nlohmann::json to_json(const StepResult& s) {
  nlohmann::json j = {
      {"id", s.id},         {"title", s.title},      {"status", to_string(s.status)}, {"duration_ms", s.duration_ms},
      {"detail", s.detail}, {"evidence", s.evidence}};
  if (s.failure) {
    j["failure"] = {{"code", s.failure->code}, {"reason", s.failure->reason}, {"remedy", s.failure->remedy}};
  }
  return j;
}

nlohmann::json to_json(const CheckReport& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepResult& s : r.steps) steps.push_back(to_json(s));
  return {{"account", r.account}, {"ok", r.ok()}, {"started_at", util::format_iso8601(r.started_at)}, {"steps", steps}};
}

}  // namespace md::diagnostics

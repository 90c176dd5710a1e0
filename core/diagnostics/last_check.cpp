#include "diagnostics/last_check.h"

#include "store/settings.h"
#include "util/time.h"

namespace md::diagnostics {
namespace {

std::string key_of(std::string_view account) {
  return "last_check:" + std::string(account);
}

std::optional<StepStatus> parse_status(const std::string& s) {
  for (StepStatus st : {StepStatus::pass, StepStatus::warn, StepStatus::fail, StepStatus::skip})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void save_last_check(store::Database& db, const CheckReport& report) {
  try {
    store::put_setting(db, key_of(report.account),
                       to_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (const store::Error&) {
    // The check itself is the answer.
  }
}

Result<std::optional<std::string>> load_last_check(store::Database& db, std::string_view account) {
  return store::guarded([&] { return store::get_setting(db, key_of(account)); });
}

std::optional<CheckReport> parse_check_report(std::string_view document) {
  const nlohmann::json doc = nlohmann::json::parse(document, nullptr, false);
  if (!doc.is_object() || !doc.contains("steps") || !doc["steps"].is_array()) return std::nullopt;
  CheckReport r;
  r.account = text_of(doc, "account");
  auto started = util::parse_iso8601(text_of(doc, "started_at"));
  if (!started) return std::nullopt;
  r.started_at = *started;
  for (const nlohmann::json& s : doc["steps"]) {
    if (!s.is_object()) return std::nullopt;
    StepResult step;
    step.id = text_of(s, "id");
    step.title = text_of(s, "title");
    auto status = parse_status(text_of(s, "status"));
    if (step.id.empty() || !status) return std::nullopt;
    step.status = *status;
    if (auto d = s.find("duration_ms"); d != s.end() && d->is_number_integer()) step.duration_ms = d->get<long long>();
    step.detail = text_of(s, "detail");
    // Explained again from the code: the catalogue's words of today, as a new run would show them.
    if (auto f = s.find("failure"); f != s.end() && f->is_object())
      step.failure = explain(Failure{text_of(*f, "code"), step.detail});
    if (auto e = s.find("evidence"); e != s.end() && e->is_array())
      for (const nlohmann::json& line : *e)
        if (line.is_string()) step.evidence.push_back(line.get<std::string>());
    r.steps.push_back(std::move(step));
  }
  return r;
}

}  // namespace md::diagnostics

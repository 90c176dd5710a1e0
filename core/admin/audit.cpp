// Writing and reading the audit log (audit.h).
#include "admin/audit.h"

#include "util/time.h"

namespace md::admin {
namespace {

std::optional<std::string> null_if_empty(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return std::string(s);
}

}  // namespace

void write_audit(store::Database& db, std::string_view admin, std::string_view action, std::string_view account,
                 const nlohmann::json& detail, std::chrono::system_clock::time_point at) {
  const nlohmann::json& doc = detail.is_null() ? nlohmann::json::object() : detail;
  db.prepare("INSERT INTO audit (at, admin, action, account, detail) VALUES (?, ?, ?, ?, ?)")
      .bind(1, util::format_iso8601_ms(at))
      .bind(2, null_if_empty(admin))
      .bind(3, action)
      .bind(4, null_if_empty(account))
      .bind(5, doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .run();
}

Result<void> audit(store::Database& db, std::string_view admin, std::string_view action, std::string_view account,
                   const nlohmann::json& detail, std::chrono::system_clock::time_point at) {
  try {
    write_audit(db, admin, action, account, detail, at);
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<std::vector<AuditRow>> recent_audit(store::Database& db, int limit, const std::optional<std::string>& account) {
  std::vector<AuditRow> rows;
  if (limit <= 0) return rows;
  try {
    auto st = db.prepare(
        "SELECT id, at, admin, action, account, detail FROM audit "
        "WHERE ?1 IS NULL OR account = ?1 ORDER BY id DESC LIMIT ?2");
    st.bind(1, account).bind(2, limit);
    while (st.step()) {
      AuditRow r;
      r.id = st.column_int(0);
      r.at = st.column_text(1);
      r.admin = st.column_optional_text(2);
      r.action = st.column_text(3);
      r.account = st.column_optional_text(4);
      std::string detail = st.column_text(5);
      r.detail = nlohmann::json::parse(detail, nullptr, /*allow_exceptions=*/false);
      if (r.detail.is_discarded()) r.detail = detail;  // damaged row: show it as it is, never throw
      rows.push_back(std::move(r));
    }
    return rows;
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

nlohmann::json to_json(const AuditRow& row) {
  return {{"id", row.id},
          {"at", row.at},
          {"admin", row.admin ? nlohmann::json(*row.admin) : nlohmann::json(nullptr)},
          {"action", row.action},
          {"account", row.account ? nlohmann::json(*row.account) : nlohmann::json(nullptr)},
          {"detail", row.detail}};
}

}  // namespace md::admin

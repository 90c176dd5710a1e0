#include "report/support_report.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include <cctype>
#include <initializer_list>
#include <sstream>

#include "accounts/repository.h"
#include "diagnostics/catalogue.h"
#include "diagnostics/last_check.h"
#include "oauth/loopback_listener.h"
#include "platform/files.h"
#include "platform/system_info.h"
#include "protolog/log_file.h"
#include "sync/sync.h"
#include "sync/sync_status.h"
#include "tokens/token_service.h"
#include "util/time.h"
#include "vault/vault.h"
#include "version.h"

namespace md::report {
namespace {

using ojson = nlohmann::ordered_json;

ojson failure_doc(const Failure& f) {
  return ojson(diagnostics::failure_json(f));
}

// Enough to see a whole ladder and a sign-in or two; a report is read by a person.
constexpr size_t kLogLines = 2000;
constexpr int kReportFormat = 1;

ojson system_json(const DataLayout& layout) {
  ojson os;
  const auto described = platform::os_description();
  for (const char* key : {"sysname", "release", "version", "machine", "wine", "distribution"})
    if (auto it = described.find(key); it != described.end()) os[key] = it->second;
  ojson libs;
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  libs["libcurl"] = curl != nullptr && curl->version != nullptr ? curl->version : LIBCURL_VERSION;
  if (curl != nullptr && curl->ssl_version != nullptr) libs["libcurl_tls"] = curl->ssl_version;
  libs["openssl"] = OpenSSL_version(OPENSSL_VERSION);
  libs["sqlite"] = sqlite3_libversion();
  libs["nlohmann_json"] = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                          std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                          std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  ojson out;
  out["os"] = os;
  out["libraries"] = libs;
  // What guards this data folder's key: the keyring, the key file or DPAPI (and why it cannot be read).
  if (auto protection = vault::key_protection(layout.vault_key())) {
    out["key_protection"] = protection.value();
  } else {
    out["key_protection"] = "unreadable (" + protection.failure().code + ")";
    out["key_protection_error"] = failure_doc(protection.failure());
  }
#if defined(__VERSION__)
  out["compiler"] = __VERSION__;
#endif
  return out;
}

// The report `check` saved for the account, or null when it never ran.
Result<ojson> last_check_json(store::Database& db, const std::string& account) {
  auto text = diagnostics::load_last_check(db, account);
  if (!text) return text.failure();
  if (!text.value()) return ojson(nullptr);
  ojson parsed = ojson::parse(*text.value(), nullptr, false);
  if (parsed.is_discarded()) return ojson{{"unreadable", true}};
  return parsed;
}

ojson log_json(const std::filesystem::path& file) {
  ojson out;
  out["file"] = file.filename().string();
  out["max_lines"] = kLogLines;
  ojson entries = ojson::array();
  protolog::LogFollower reader(file);
  if (reader.open_at_tail(kLogLines)) {
    reader.poll(
        [&](std::string_view line) {
          if (auto e = protolog::ProtoLog::parse_line(line)) {
            entries.push_back({{"at", util::format_iso8601_ms(e->at)},
                               {"protocol", e->protocol},
                               {"direction", protolog::to_string(e->direction)},
                               {"text", e->text}});
          } else {
            entries.push_back({{"raw", std::string(line)}});  // a torn line after a crash
          }
        },
        true);
  } else {
    out["note"] = "no protocol log yet";
  }
  out["lines"] = entries.size();
  out["entries"] = std::move(entries);
  return out;
}

// The second line of defence: every string value through the registered secrets. Keys are the
// report's own names (a password that happens to be "lines" must not break the document).
void mask_all(ojson& j, const protolog::Redactor& redactor) {
  if (j.is_string()) {
    j = redactor.mask_secrets(j.get_ref<const std::string&>());
  } else if (j.is_array() || j.is_object()) {
    for (ojson& v : j) mask_all(v, redactor);
  }
}

// ---- HTML rendering ---------------------------------------------------------------------------

std::string esc(std::string_view s) {
  return oauth::html_escape(s);
}

std::string scalar_text(const ojson& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "—";
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// Any value as nested tables: enough for settings, token status and versions.
void render_value(std::ostream& h, const ojson& j) {
  if (j.is_object()) {
    if (j.empty()) {
      h << "—";
      return;
    }
    h << "<table>";
    for (auto it = j.begin(); it != j.end(); ++it) {
      h << "<tr><th>" << esc(it.key()) << "</th><td>";
      render_value(h, it.value());
      h << "</td></tr>";
    }
    h << "</table>";
  } else if (j.is_array()) {
    if (j.empty()) {
      h << "—";
      return;
    }
    h << "<ul>";
    for (const ojson& v : j) {
      h << "<li>";
      render_value(h, v);
      h << "</li>";
    }
    h << "</ul>";
  } else {
    h << esc(scalar_text(j));
  }
}

void render_check(std::ostream& h, const ojson& check) {
  if (!check.is_object() || !check.contains("steps")) {
    h << "<p>No check has run for this account yet.</p>";
    return;
  }
  h << "<p>Started " << esc(scalar_text(check.value("started_at", ojson()))) << "</p>";
  h << "<table class=steps><tr><th>status</th><th>step</th><th>title</th><th>detail</th><th>failure</th>"
       "<th>evidence</th></tr>";
  for (const ojson& s : check["steps"]) {
    const std::string status = s.value("status", "");
    h << "<tr class=\"" << esc(status) << "\"><td>" << esc(status) << "</td><td>" << esc(s.value("id", ""))
      << "</td><td>" << esc(s.value("title", "")) << "</td><td>" << esc(s.value("detail", "")) << "</td><td>";
    if (s.contains("failure") && s["failure"].is_object()) {
      const ojson& f = s["failure"];
      h << "<b>" << esc(f.value("code", "")) << "</b><br>" << esc(f.value("reason", "")) << "<br><i>"
        << esc(f.value("remedy", "")) << "</i>";
    }
    h << "</td><td>";
    if (s.contains("evidence") && s["evidence"].is_array())
      for (const ojson& e : s["evidence"]) h << esc(scalar_text(e)) << "<br>";
    h << "</td></tr>";
  }
  h << "</table>";
}

std::string render_html(const ojson& doc) {
  std::ostringstream h;
  const std::string name = doc.value("account_name", "");
  h << "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
       "<title>MailDoctor report: "
    << esc(name)
    << "</title><style>"
       "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
       "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
       ".warn{background:#c00;color:#fff;padding:.6em 1em;font-weight:bold}"
       "tr.fail td{background:#fdd}tr.warn td{background:#ffd}tr.skip td{color:#777}"
       "pre{background:#f6f6f6;padding:1em;overflow-x:auto}</style></head><body>\n";
  h << "<h1>MailDoctor support report: " << esc(name) << "</h1>\n";
  const ojson& meta = doc["report"];
  h << "<p>Generated " << esc(scalar_text(meta["generated_at"])) << " by MailDoctor "
    << esc(scalar_text(meta["version"])) << ". Secrets are never included.</p>\n";
  for (const ojson& w : doc["warnings"]) h << "<p class=warn>" << esc(scalar_text(w)) << "</p>\n";
  h << "<h2>Account settings</h2>\n<p>TLS certificate verification: <b"
    << (doc.value("tls_verification", "") == "on" ? ">on" : " class=warn>OFF") << "</b></p>\n";
  render_value(h, doc["account"]);
  h << "\n<h2>Token status</h2>\n";
  render_value(h, doc["token"]);
  h << "\n<h2>Last check</h2>\n";
  render_check(h, doc["last_check"]);
  h << "\n<h2>Sync status</h2>\n";
  render_value(h, doc["sync"]);
  h << "\n<h2>System</h2>\n";
  render_value(h, doc["system"]);
  const ojson& log = doc["log"];
  h << "\n<h2>Protocol log (last " << esc(scalar_text(log["lines"])) << " lines, redacted)</h2>\n<pre>";
  for (const ojson& e : log["entries"]) {
    if (e.contains("raw"))
      h << esc(scalar_text(e["raw"])) << "\n";
    else
      h << esc(scalar_text(e["at"])) << " " << esc(scalar_text(e["protocol"])) << " "
        << esc(scalar_text(e["direction"])) << ": " << esc(scalar_text(e["text"])) << "\n";
  }
  h << "</pre>\n</body></html>\n";
  return h.str();
}

// ---- writing ----------------------------------------------------------------------------------

bool ends_with_html(const std::string& path) {
  auto lower = path;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.ends_with(".html") || lower.ends_with(".htm");
}

}  // namespace

Result<void> protect_account_secrets(store::Database& db, const DataLayout& layout, const std::string& account,
                                     const std::function<void(std::string_view)>& protect) {
  // No key file: nothing was ever sealed with it, and opening the vault would create one.
  std::error_code ec;
  if (!std::filesystem::exists(layout.vault_key(), ec)) return {};
  auto vault = vault::Vault::open(layout.vault_key());
  if (!vault) return vault.failure();
  // One secret that does not open must not stop the others from being masked.
  std::optional<Failure> first_failure;
  for (const char* kind : {"password", "client_secret", "access_token", "refresh_token", "id_token"}) {
    auto secret = vault::get_secret(db, vault.value(), account, kind);
    if (!secret) {
      if (!first_failure) first_failure = secret.failure();
    } else if (secret.value()) {
      protect(*secret.value());
    }
  }
  if (first_failure) return *first_failure;
  return {};
}

Result<void> write_file_atomically(const std::filesystem::path& target, const std::string& content,
                                   bool others_may_read) {
  auto written =
      platform::replace_file(target, content, others_may_read ? platform::Readers::everyone : platform::Readers::owner);
  if (!written.ok)
    return fail("report.write_failed",
                target.string() + ": " + written.step + " (" + written.error + "); no report written");
  return {};
}

std::filesystem::path saved_file_path(const DataLayout& layout, const std::string& account, std::string_view what,
                                      std::string_view extension, std::chrono::system_clock::time_point now) {
  std::string compact;
  for (char c : util::format_iso8601(now))  // 2026-11-29T10:15:00Z → 20261129101500
    if (c >= '0' && c <= '9') compact += c;
  if (compact.size() >= 14) compact = compact.substr(0, 8) + "-" + compact.substr(8, 6);
  return layout.root / "reports" / (account + "-" + std::string(what) + "-" + compact + "." + std::string(extension));
}

Result<WrittenReport> write_support_report(store::Database& db, const DataLayout& layout, const accounts::Account& a,
                                           const std::filesystem::path& target, protolog::Redactor& redactor) {
  if (target.filename().empty() || target.filename() == "." || target.filename() == "..")
    return fail("usage", "the report needs a file name, not a folder: " + target.string());
  auto secrets =
      protect_account_secrets(db, layout, a.name, [&redactor](std::string_view s) { redactor.add_secret(s); });
  const auto now = std::chrono::system_clock::now();
  ojson doc;
  doc["report"] = {{"format", kReportFormat},
                   {"generator", "MailDoctor"},
                   {"version", MAILDOCTOR_VERSION},
                   {"generated_at", util::format_iso8601(now)}};
  doc["account_name"] = a.name;
  ojson warnings = ojson::array();
  if (!a.verify_tls)
    warnings.push_back(
        "TLS certificate verification is OFF for this account: anyone between this computer and the "
        "server could read the mail and the password or token.");
  doc["warnings"] = nullptr;  // filled below, kept near the top
  doc["tls_verification"] = a.verify_tls ? "on" : "OFF";

  try {
    ojson account = ojson(accounts::to_json(a));
    account["secrets"] = ojson(vault::secret_presence(db, a.name));
    doc["account"] = std::move(account);

    if (a.auth == accounts::AuthMethod::oauth2) {
      auto status = tokens::load_status(db, a.name);
      if (status) {
        doc["token"] = ojson(tokens::to_json(status.value(), now));
        if (status.value().last_error)
          warnings.push_back("The last token refresh failed [" + status.value().last_error->code +
                             "]: re-authenticate with 'maildoctor auth " + a.name + "'.");
      } else {
        doc["token"] = {{"error", failure_doc(status.failure())}};
      }
    } else {
      doc["token"] = nullptr;  // a password account has no tokens
    }

    auto stored_check = last_check_json(db, a.name);
    if (!stored_check) return stored_check.failure();
    ojson check = std::move(stored_check).value();
    if (check.is_object() && check.contains("steps")) {
      size_t failed = 0;
      for (const ojson& s : check["steps"]) failed += s.value("status", "") == "fail";
      if (failed > 0) warnings.push_back("The last check had " + std::to_string(failed) + " failed step(s).");
    }
    doc["last_check"] = std::move(check);
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  // The mailbox download as `status` shows it; a report is also for accounts never synced.
  auto protocol = sync::sync_protocol(a, std::nullopt);
  auto sync_status = sync::load_sync_status(db, a.name, protocol ? std::optional(protocol.value()) : std::nullopt);
  doc["sync"] =
      sync_status ? ojson(sync::to_json(sync_status.value())) : ojson{{"error", failure_doc(sync_status.failure())}};
  doc["system"] = system_json(layout);
  doc["log"] = log_json(protolog::log_file_path(layout.logs_dir(), a.name));
  doc["redaction"] = {
      {"at_capture", true},
      {"saved_secrets_masked", static_cast<bool>(secrets)},
  };
  if (!secrets) doc["redaction"]["note"] = "the account's saved secrets could not be read: " + secrets.failure().code;
  doc["warnings"] = std::move(warnings);
  mask_all(doc, redactor);

  const bool html = ends_with_html(target.string());
  const std::string content = html ? render_html(doc) : doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
  if (auto w = write_file_atomically(target, content); !w) return w.failure();
  return WrittenReport{target, html, doc["log"]["lines"].get<size_t>(), !a.verify_tls};
}

}  // namespace md::report

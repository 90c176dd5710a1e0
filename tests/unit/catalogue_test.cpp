#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "diagnostics/catalogue.h"

using md::diagnostics::catalogue;
using md::diagnostics::find_entry;

TEST_CASE("catalogue: every failure code of DESIGN.md's minimum list has a row") {
  const char* kDesignCodes[] = {"dns.not_found",
                                "dns.failed",
                                "tcp.refused",
                                "tcp.timeout",
                                "tcp.unreachable",
                                "proxy.failed",
                                "tls.cert_expired",
                                "tls.cert_not_yet_valid",
                                "tls.cert_untrusted",
                                "tls.hostname_mismatch",
                                "tls.handshake_failed",
                                "tls.starttls_unavailable",
                                "protocol.no_greeting",
                                "protocol.unexpected_greeting",
                                "auth.mechanism_unavailable",
                                "auth.token_rejected",
                                "auth.bad_credentials",
                                "auth.identity_mismatch",
                                "auth.scope_missing",
                                "auth.not_connected",
                                "auth.imap_disabled",
                                "auth.web_login_required",
                                "auth.app_password_required",
                                "auth.smtp_auth_disabled",
                                "oauth.no_client",
                                "oauth.invalid_client",
                                "oauth.invalid_grant",
                                "oauth.access_denied",
                                "oauth.redirect_uri_mismatch",
                                "oauth.admin_consent_required",
                                "oauth.consent_timeout",
                                "oauth.state_mismatch",
                                "oauth.endpoint_unreachable",
                                "imap.mailbox_missing",
                                "imap.throttled",
                                "smtp.rejected",
                                "clock.skew"};
  for (const char* code : kDesignCodes) CHECK_MESSAGE(find_entry(code) != nullptr, code);
}

TEST_CASE("catalogue: rows are unique and complete") {
  std::set<std::string_view> seen;
  for (const auto& e : catalogue()) {
    CHECK_MESSAGE(seen.insert(e.code).second, e.code);
    CHECK_MESSAGE(!e.title.empty(), e.code);
    CHECK_MESSAGE(e.reason.size() > 20, e.code);
    CHECK_MESSAGE(e.remedy.size() > 10, e.code);
  }
  CHECK(find_entry("no.such_code") == nullptr);
  auto x = md::diagnostics::explain(md::fail("no.such_code", "evidence"));
  CHECK(x.detail == "evidence");
  CHECK_FALSE(x.remedy.empty());
}

TEST_CASE("catalogue: every code the core and the command line can produce has a row") {
  // Scans core/ and cli/ for fail("code", ...) so a new code cannot ship without its reason and
  // remedy. (A hand scan rather than std::regex: GCC 12 warns inside <regex> under the sanitizers.)
  int scanned = 0;
  std::vector<std::filesystem::directory_entry> sources;
  for (const char* folder : {MAILDOCTOR_SOURCE_DIR "/core", MAILDOCTOR_SOURCE_DIR "/cli"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) sources.push_back(entry);
  for (const auto& entry : sources) {
    if (entry.path().extension() != ".cpp" && entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (size_t pos = 0; (pos = text.find("fail(", pos)) != std::string::npos;) {
      pos += 5;
      size_t open = text.find_first_not_of(" \n", pos);
      if (open == std::string::npos || text[open] != '"') continue;
      size_t close = text.find('"', open + 1);
      std::string code = text.substr(open + 1, close - open - 1);
      ++scanned;
      CHECK_MESSAGE(find_entry(code) != nullptr, code << " (in " << entry.path().filename().string() << ")");
    }
  }
  CHECK(scanned > 10);
}

// The corpus of real replies (tests/provider-replies/*.json: Gmail and Google OAuth, Microsoft 365
// and Entra ID, Yahoo, iCloud, Zoho, Fastmail, Dovecot, Exchange and others, each with its public
// source) replayed where it comes:
//   mail replies    the check ladder (or the sync, for FETCH) against a scripted server on a
//                   127.0.0.1 TCP port that answers normally until the entry's step, then with the
//                   entry's text;
//   token endpoint  JSON bodies from an HTTP token endpoint on 127.0.0.1, through the real refresh;
//   other OAuth     what a library printed ("AADSTS…: …", "invalid_grant: …", Google's "Error 403:
//                   org_internal …" page, a redirect's query) as the error fields it carries.
// Each must get its expected code, and the code's reason or remedy must name the entry's cause.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/repository.h"
#include "diagnostics/catalogue.h"
#include "diagnostics/ladder.h"
#include "loopback_script_server.h"
#include "oauth/errors.h"
#include "oauth/token_endpoint.h"
#include "store/schema.h"
#include "sync/sync.h"
#include "temp_dir.h"
#include "tokens/token_service.h"

using namespace md;
using namespace std::chrono_literals;
using json = nlohmann::json;
using Reply = test::LoopbackScriptServer::Reply;

namespace {

std::vector<json> corpus() {
  std::vector<json> out;
  const auto dir = std::filesystem::path(MAILDOCTOR_SOURCE_DIR) / "tests/provider-replies";
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir))
    if (f.path().extension() == ".json" && f.path().filename() != "proposed-codes.json") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    json doc = json::parse(in);
    for (json& e : doc) {
      e["file"] = f.filename().string();
      out.push_back(std::move(e));
    }
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The entry's lines, CRLF-terminated, with the corpus's tag "A1" replaced by the client's.
std::vector<std::string> wire_lines(const std::string& text, const std::string& tag) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) {
      if (line.starts_with("A1 ")) line = tag + line.substr(2);
      out.push_back(line + "\r\n");
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// The entry's reply at its step: a leading SASL challenge ("+ …", "334 …") alone first, the rest
// after the client's answer to it. A source that shows only untagged lines gets a bare tagged
// completion, without which no IMAP client can finish the command.
struct Scripted {
  std::vector<std::string> now, after_answer;
};
Scripted scripted_reply(const std::string& text, const std::string& tag, bool imap) {
  Scripted s;
  std::vector<std::string> lines = wire_lines(text, tag);
  if (!lines.empty() && (lines.front().starts_with("+ ") || lines.front().starts_with("334 "))) {
    s.now.push_back(lines.front());
    s.after_answer.assign(lines.begin() + 1, lines.end());
  } else {
    s.now = lines;
  }
  auto& last = s.after_answer.empty() ? s.now : s.after_answer;
  if (imap && std::none_of(last.begin(), last.end(), [&](const std::string& l) { return l.starts_with(tag + " "); }))
    last.push_back(tag + " NO .\r\n");
  return s;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s;
  return out;
}

// A server of `protocol` that answers normally until `step`, then with the entry's text.
test::LoopbackScriptServer::Responder responder(const std::string& protocol, const std::string& step,
                                                const std::string& text) {
  struct State {
    std::string pending;  // sent after the client's answer to a challenge
    bool in_data = false;
  };
  auto st = std::make_shared<State>();
  if (protocol == "imap")
    return [=](const std::string& line) -> Reply {
      if (!st->pending.empty()) return {std::exchange(st->pending, {})};
      const size_t sp = line.find(' ');
      const std::string tag = line.substr(0, sp);
      const std::string cmd = sp == std::string::npos ? "" : line.substr(sp + 1);
      const std::string ok = tag + " OK done\r\n";
      auto refuse = [&] {
        Scripted s = scripted_reply(text, tag, true);
        st->pending = joined(s.after_answer);
        return Reply{joined(s.now)};
      };
      if (cmd.starts_with("CAPABILITY")) return {"* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR\r\n" + ok};
      if (cmd.starts_with("AUTHENTICATE") || cmd.starts_with("LOGIN")) return step == "auth" ? refuse() : Reply{ok};
      if (cmd.starts_with("EXAMINE") || cmd.starts_with("SELECT")) {
        if (step == "mailbox") return refuse();
        return {"* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n" + tag + " OK [READ-ONLY] done\r\n"};
      }
      if (cmd.starts_with("UID SEARCH")) return {"* SEARCH 1\r\n" + ok};
      if (cmd.starts_with("UID FETCH")) return refuse();
      if (cmd.starts_with("LOGOUT")) return {"* BYE\r\n" + ok, true};
      return {ok};
    };
  if (protocol == "pop3")
    return [=](const std::string& line) -> Reply {
      if (!st->pending.empty()) return {std::exchange(st->pending, {})};
      if (line.starts_with("CAPA")) return {"+OK\r\nUSER\r\nSASL PLAIN XOAUTH2\r\n.\r\n"};
      if (line.starts_with("AUTH") || line.starts_with("PASS") || line.starts_with("USER")) {
        if (step != "auth" || line.starts_with("USER")) return {"+OK\r\n"};
        Scripted s = scripted_reply(text, "", false);
        st->pending = joined(s.after_answer);
        return {joined(s.now)};
      }
      if (line.starts_with("STAT")) return {"+OK 1 100\r\n"};
      if (line.starts_with("QUIT")) return {"+OK bye\r\n", true};
      return {"+OK\r\n"};
    };
  // smtp
  return [=](const std::string& line) -> Reply {
    if (st->in_data) {
      if (line != ".") return {};
      st->in_data = false;
      return {step == "send" ? joined(wire_lines(text, "")) : "250 2.0.0 queued\r\n"};
    }
    if (!st->pending.empty()) return {std::exchange(st->pending, {})};
    if (line.starts_with("EHLO")) {
      if (step == "capabilities") return {joined(wire_lines(text, "")), true};
      return {"250-replay.example.test\r\n250 AUTH PLAIN LOGIN XOAUTH2\r\n"};
    }
    if (line.starts_with("AUTH")) {
      if (step != "auth") return {"235 2.7.0 Accepted\r\n"};
      Scripted s = scripted_reply(text, "", false);
      st->pending = joined(s.after_answer);
      return {joined(s.now)};
    }
    if (line.starts_with("MAIL") || line.starts_with("RCPT")) return {"250 2.1.0 ok\r\n"};
    if (line.starts_with("DATA")) {
      st->in_data = true;
      return {"354 go ahead\r\n"};
    }
    if (line.starts_with("QUIT")) return {"221 bye\r\n", true};
    return {"250 ok\r\n"};
  };
}

// A token endpoint that refreshes: an OAuth account's sign-in steps before the replayed one pass.
struct WorkingTokenEndpoint {
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  WorkingTokenEndpoint() {
    svr.Post("/token", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"access_token":"at-fresh","token_type":"Bearer","expires_in":3599,"scope":"mail openid"})",
                      "application/json");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { svr.listen_after_bind(); });
    for (int i = 0; i < 2000 && !svr.is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  ~WorkingTokenEndpoint() {
    svr.stop();
    thread.join();
  }
};

accounts::Provider provider_of(const std::string& p) {
  const std::string l = lower(p);
  if (l.find("gmail") != std::string::npos || l.find("google") != std::string::npos) return accounts::Provider::gmail;
  if (l.find("microsoft") != std::string::npos || l.find("outlook") != std::string::npos ||
      l.find("office") != std::string::npos)
    return accounts::Provider::microsoft;
  return accounts::Provider::custom;
}

// The code MailDoctor gives a mail reply at its step.
std::string replay_mail(const json& e) {
  const std::string protocol = e["protocol"], step = e["step"], text = e["text"];
  const bool oauth = e.value("sign_in", "password") == "oauth2";
  std::string greeting = protocol == "imap"   ? "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR] ready\r\n"
                         : protocol == "pop3" ? "+OK ready\r\n"
                                              : "220 replay.example.test ESMTP\r\n";
  if (step == "greeting") greeting = joined(wire_lines(text, ""));
  test::LoopbackScriptServer server(greeting, responder(protocol, step, text));

  test::TempDir dir;
  auto db = store::Database::open(dir.path / "md.db", store::schema());
  REQUIRE(db);
  vault::Vault vault = vault::Vault::from_key_for_tests(std::string(32, 'k'));
  WorkingTokenEndpoint endpoint;
  accounts::Account a;
  a.name = "replay";
  a.email = "user@example.test";
  a.provider = provider_of(e.value("provider", ""));
  a.auth = oauth ? accounts::AuthMethod::oauth2 : accounts::AuthMethod::password;
  a.timeout_s = 5;
  const accounts::ServerEndpoint here{true, "127.0.0.1", server.port(), accounts::Security::none};
  (protocol == "imap" ? a.imap : protocol == "pop3" ? a.pop3 : a.smtp) = here;
  if (oauth) {
    a.oauth.client_id = "client";
    a.oauth.token_url = "http://127.0.0.1:" + std::to_string(endpoint.port) + "/token";
    a.oauth.mail_scope = "mail";
    a.oauth.scopes = {"mail", "openid"};
  }
  REQUIRE(accounts::insert_account(db.value(), a));
  std::string secret = "not-the-password";
  if (oauth) {
    oauth::TokenSet t;
    t.access_token = "at-1";
    t.refresh_token = "rt-1";
    t.obtained_at = std::chrono::system_clock::now();
    t.expires_at = t.obtained_at + 3600s;
    t.granted_scopes = {"mail", "openid"};
    REQUIRE(tokens::save_sign_in(db.value(), vault, a, t, a.email));
    secret = "at-1";
  }

  if (step == "fetch") {
    auto r = sync::run_sync(db.value(), a, secret, {});
    return r ? std::string("(ok)") : r.failure().code;
  }
  diagnostics::LadderInputs in;
  if (!oauth) in.password = secret;
  in.db = &db.value();
  in.vault = &vault;
  diagnostics::LadderOptions o;
  o.only = {protocol == "imap"   ? diagnostics::LadderGroup::imap
            : protocol == "pop3" ? diagnostics::LadderGroup::pop3
                                 : diagnostics::LadderGroup::smtp};
  if (step == "send") o.send_test = "someone@example.test";
  auto report = diagnostics::run_ladder(a, in, o);
  for (const auto& s : report.steps)
    if (s.status == diagnostics::StepStatus::fail && s.failure) return s.failure->code;
  return "(ok)";
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The error fields an OAuth text carries, as a redirect or a library shows them.
std::pair<std::string, std::string> error_fields(const std::string& text) {
  std::smatch m;
  if (text.find("error=") != std::string::npos) {
    std::string error, description;
    std::regex kv("(?:^|&)(error|error_description)=([^&]*)");
    for (std::sregex_iterator it(text.begin(), text.end(), kv), end; it != end; ++it)
      ((*it)[1] == "error" ? error : description) = url_decode((*it)[2]);
    return {error, description};
  }
  if (std::regex_search(text, m, std::regex(R"(Error \d{3}: ([A-Za-z_]+)\s*(.*))")))
    return {lower(m[1]), m[2]};  // Google's page; "Invalid_client" is shown capitalised there
  if (std::regex_match(text, m, std::regex(R"(([a-z_]+): (.*))"))) return {m[1], m[2]};  // "invalid_grant: …"
  const size_t aadsts = text.find("AADSTS");
  return {"", aadsts == std::string::npos ? text : text.substr(aadsts)};
}

// The code MailDoctor gives an OAuth answer: a JSON body through a real token endpoint and refresh.
std::string replay_oauth(const json& e) {
  const std::string text = e["text"];
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object()) {
    auto [error, description] = error_fields(text);
    return oauth::map_authorize_error(error, description).code;
  }
  httplib::Server svr;
  const int status = e.value("http_status", 400);
  svr.Post("/token", [&](const httplib::Request&, httplib::Response& res) {
    res.status = status;
    res.set_content(text, "application/json");
  });
  const int port = svr.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { svr.listen_after_bind(); });
  for (int i = 0; i < 2000 && !svr.is_running(); ++i) std::this_thread::sleep_for(1ms);
  oauth::ClientConfig cfg;
  cfg.client_id = "client";
  cfg.token_url = "http://127.0.0.1:" + std::to_string(port) + "/token";
  cfg.http.proxy = "";
  cfg.http.timeout_s = 5;
  auto r = oauth::refresh(cfg, "rt", nullptr);
  svr.stop();
  thread.join();
  return r ? std::string("(ok)") : r.failure().code;
}

}  // namespace

TEST_CASE("provider replies: every real reply in the corpus gets its code, and the code names its cause") {
  const std::vector<json> entries = corpus();
  std::map<std::string, int> per_file;
  int replayed = 0, skipped = 0;
  for (const json& e : entries) {
    ++per_file[e["file"]];
    INFO(e["file"].get<std::string>() << " " << e["id"].get<std::string>() << ": " << e["text"].get<std::string>());
    REQUIRE(e.contains("source"));
    CHECK(e["source"].get<std::string>().starts_with("https://"));
    if (!e.value("replay", true)) {
      ++skipped;
      CHECK(!e.value("replay_why", "").empty());
      continue;
    }
    const std::string protocol = e["protocol"];
    const std::string code = protocol.starts_with("oauth") ? replay_oauth(e) : replay_mail(e);
    ++replayed;
    CHECK(code == e["expected_code"].get<std::string>());
    const diagnostics::CatalogueEntry* entry = diagnostics::find_entry(e["expected_code"].get<std::string>());
    REQUIRE_MESSAGE(entry != nullptr, "no catalogue row for the expected code");
    const std::string words =
        lower(std::string(entry->title) + " " + std::string(entry->reason) + " " + std::string(entry->remedy));
    for (const auto& w : e["must_mention"]) CHECK_MESSAGE(words.find(lower(w)) != std::string::npos, w);
  }
  MESSAGE("replayed " << replayed << " real replies, skipped " << skipped);
  CHECK(replayed >= 100);
  CHECK(skipped <= 2);
  CHECK(per_file["google.json"] >= 30);
  CHECK(per_file["microsoft.json"] >= 45);
}

#include "cli/usage.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "version.h"

namespace md::cli {
namespace {

constexpr CommandUsage kCommandUsages[] = {
    {"account add",
     "NAME --provider gmail|microsoft|custom --email ADDR [--imap HOST:PORT] [--pop3 HOST:PORT] "
     "[--smtp HOST:PORT] [--security tls|starttls|none] [--imap-security tls|starttls|none] "
     "[--pop3-security tls|starttls|none] [--smtp-security tls|starttls|none] "
     "[--auth oauth2|password] "
     "[--username U] [--password-stdin] [--issuer URL | --authorize-url U --token-url U [--device-url U] "
     "[--revoke-url U] [--userinfo-url U]] [--client-id ID] [--client-secret S] [--tenant T] [--scope S]... "
     "[--mail-scope S] [--ca-file PEM] [--no-verify-tls] [--timeout SECONDS]",
     "add an account (provider presets fill in hosts, ports and endpoints)"},
    {"account list", "[--json]", "list the accounts"},
    {"account show", "NAME [--json]", "show one account's settings (never its secrets)"},
    {"account edit",
     "NAME [--email ADDR] [--imap HOST:PORT|off] [--pop3 HOST:PORT|off] [--smtp HOST:PORT|off] "
     "[--security tls|starttls|none] [--imap-security tls|starttls|none] [--auth oauth2|password] [--username U] "
     "[--password-stdin] [--issuer URL] [--client-id ID] [--client-secret S] [--scope S]... [--mail-scope S] "
     "[--ca-file PEM|''] [--verify-tls|--no-verify-tls] [--timeout SECONDS] [--json]",
     "change an account's settings or password (a new address or OAuth client forgets the saved sign-in)"},
    {"account remove", "NAME [--admin USER [--password-stdin]] [--json]",
     "remove an account and revoke its tokens (an admin when it has a download counter: that is a reset)"},
    {"auth", "NAME [--device] [--browser CMD] [--consent-timeout SECONDS]",
     "sign in through the browser (the URL is also printed)"},
    {"token", "NAME [--refresh] [--json]", "token expiry, scopes and identity; never the token itself"},
    {"check",
     "NAME [--only imap,pop3,smtp,oauth,clock] [--send-test ADDR] [--mechanism M] [--json | --nagios "
     "[--warn-token-expiry RANGE] [--crit-token-expiry RANGE]]",
     "run the check ladder: DNS, TCP, TLS, greeting, capabilities, sign-in, mailbox (--nagios: one plugin status "
     "line, exit 0-3; RANGE in Nagios syntax on the token's seconds left, e.g. 600:)"},
    {"check --provider", "gmail|microsoft [--json]", "installer's quick connectivity test, no account needed"},
    {"sync", "NAME [--protocol imap|pop3] [--batch N] [--json]",
     "download new messages (IMAP when set up, else POP3); commit every N (1000)"},
    {"status", "NAME [--protocol imap|pop3] [--json]", "UIDVALIDITY, last UID, counts, token, last check"},
    {"reset-counter", "NAME --admin USER [--password-stdin] [--yes] [--protocol imap|pop3] [--json]",
     "admins: download the whole mailbox again at the next sync"},
    {"admin add", "USER [--admin ADMIN] [--password-stdin] [--json]",
     "create an admin (after the first, signed in as another admin)"},
    {"admin passwd", "USER [--admin ADMIN] [--password-stdin] [--json]",
     "change an admin's password (needs the current one, or another admin's)"},
    {"admin remove", "USER [--admin ADMIN] [--password-stdin] [--json]", "remove an admin (never the last)"},
    {"admin list", "[--json]", "list the admins and their lockouts"},
    {"log", "NAME [--tail N] [--follow]", "the protocol log, secrets redacted"},
    {"export", "NAME --maildir DIR [--json]", "the downloaded messages as a Maildir, byte for byte"},
    {"report", "NAME --out FILE", "a support bundle: checks, status and log, secrets redacted"},
    {"metrics", "[--textfile FILE]",
     "every account's health in Prometheus' text format, on stdout or atomically into FILE (node_exporter)"},
    {"serve", "[--metrics ADDR:PORT [--allow-remote]] [--check-every MIN] [--sync-every MIN]",
     "the window's background work without a window, until Ctrl-C or SIGTERM; --metrics: answer Prometheus"},
};

// Wraps "name synopsis" at word boundaries so --help reads well in an 100-column terminal.
void append_wrapped(std::string& out, std::string_view text, size_t width, std::string_view indent) {
  size_t column = 0;
  bool first = true;
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    if (!first && column + 1 + word.size() > width) {
      out += '\n';
      out += indent;
      column = indent.size();
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  out += '\n';
}

}  // namespace

std::span<const CommandUsage> command_usage() {
  return kCommandUsages;
}

std::string help_text() {
  std::string out = "MailDoctor " MAILDOCTOR_VERSION
                    " - set up and diagnose OAuth 2.0 and password email accounts (IMAP, POP3, SMTP)\n\n"
                    "Usage:\n"
                    "  maildoctor [--data-dir DIR]                  open the window\n"
                    "  maildoctor [--data-dir DIR] <command> ...    run one command\n\n"
                    "Commands:\n";
  for (const CommandUsage& c : kCommandUsages) {
    std::string line = "  " + std::string(c.name);
    if (!c.synopsis.empty()) line += " " + std::string(c.synopsis);
    append_wrapped(out, line, 100, "        ");
    out += "      ";
    out += c.summary;
    out += '\n';
  }
  out +=
      "\nOptions:\n"
      "  --data-dir DIR   where accounts, tokens and logs are kept (also MAILDOCTOR_HOME);\n"
      "                   default: $XDG_DATA_HOME/maildoctor or ~/.local/share/maildoctor,\n"
      "                   %APPDATA%\\MailDoctor on Windows, ~/Library/Application Support/MailDoctor on macOS\n"
      "  --json           one JSON document on stdout and nothing else there\n"
      "  --version        versions of MailDoctor and the libraries it uses\n"
      "  --help           this text\n\n"
      "Exit codes: 0 success (check: every step passed or warned), 1 a check failed or the\n"
      "operation was refused, 2 usage or configuration error. check --nagios follows the\n"
      "Monitoring Plugins convention instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";
  return out;
}

std::string version_text(std::string_view extra) {
  std::string out = "maildoctor " MAILDOCTOR_VERSION "\n";
  out += std::string("libcurl ") + curl_version_info(CURLVERSION_NOW)->version + "\n";
  out += std::string(OpenSSL_version(OPENSSL_VERSION)) + "\n";
  out += std::string("SQLite ") + sqlite3_libversion() + "\n";
  out += "nlohmann/json " + std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_PATCH) + "\n";
  out += extra;
  return out;
}

}  // namespace md::cli

#include "mail/imap_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/encoding.h"

namespace md::mail {
namespace {

// Untagged responses other than FETCH may carry literals (a LIST with an odd mailbox name); they
// are read whole, up to this much.
constexpr uint64_t kMaxInlineLiteral = 1024 * 1024;

// Literals of a FETCH response come from the connection.
class ConnectionInput : public imap::ResponseInput {
 public:
  explicit ConnectionInput(Connection& conn) : conn_(conn) {}
  Result<std::string> next_line() override {
    return conn_.read_line("the rest of a FETCH response", kMaxImapLineLength);
  }
  Result<void> literal(uint64_t n, std::string& out) override {
    return conn_.read_exact(static_cast<size_t>(n), out, "a message (a FETCH literal)");
  }

 private:
  Connection& conn_;
};

bool is_status_keyword(std::string_view k) {
  return k == "OK" || k == "NO" || k == "BAD" || k == "BYE" || k == "PREAUTH";
}

Failure mailbox_failure(std::string_view verb, std::string_view mailbox, const imap::StatusResponse& r) {
  std::string detail = std::string(verb) + " " + std::string(mailbox) + ": " + printable(r.line, 400);
  const std::string& code = r.code;
  if (code == "LIMIT" || code == "THROTTLED" || code == "INUSE" || code == "UNAVAILABLE")
    return fail("imap.throttled", detail);
  if (r.status == "BAD") {
    std::string lower = r.text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find("authenticated but not connected") != std::string::npos) return fail("auth.not_connected", detail);
    return fail("protocol.bad_response", detail);
  }
  if (r.status == "BYE") return fail("protocol.connection_lost", detail);
  return fail("imap.mailbox_missing", detail);
}

}  // namespace

ImapClient::ImapClient(Connection connection) : conn_(std::move(connection)) {}

std::string ImapClient::next_tag() {
  return "A" + std::to_string(next_tag_++);
}

void ImapClient::remember_capabilities(const imap::StatusResponse& r) {
  if (r.code == "CAPABILITY") caps_ = imap::parse_capabilities(r.code_args);
}

Result<ImapGreeting> ImapClient::read_greeting() {
  auto line = conn_.read_line("the server's IMAP greeting");
  if (!line) {
    const Failure& f = line.failure();
    if (f.code == "tcp.timeout" || f.code == "protocol.connection_lost")
      return fail("protocol.no_greeting", f.detail + " (no IMAP greeting)");
    return fail("protocol.unexpected_greeting", f.detail);
  }
  auto status = imap::parse_status(line.value());
  // "* NO" is not in RFC 3501's greeting grammar, but real servers refuse service with it (Yahoo's
  // "* NO [UNAVAILABLE] internal server error"): a refusal like BYE, not another protocol.
  if (!status || status->tag != "*" ||
      (status->status != "OK" && status->status != "PREAUTH" && status->status != "BYE" && status->status != "NO"))
    return fail("protocol.unexpected_greeting", "not an IMAP greeting: " + printable(line.value()));
  ImapGreeting g;
  g.response = std::move(*status);
  remember_capabilities(g.response);
  g.capabilities = caps_;
  return g;
}

Result<std::string> ImapClient::read_response_line(std::string_view awaited) {
  auto line = conn_.read_line(awaited, kMaxImapLineLength);
  if (!line) return line;
  std::string whole = std::move(line).value();
  // Untagged data with literals: read them in, so the next line read is a new response.
  auto untagged = imap::parse_untagged(whole);
  if (!untagged || is_status_keyword(untagged->keyword)) return whole;
  // The keyword is the server's text and goes into a one-line failure: made printable first.
  const std::string keyword = printable(untagged->keyword, 40);
  while (auto n = imap::trailing_literal(whole)) {
    if (*n > kMaxInlineLiteral)
      return fail("protocol.bad_response",
                  "a " + std::to_string(*n) + "-byte literal in " + keyword + " data is more than MailDoctor reads");
    if (whole.size() + *n > limits_.max_response_bytes) {
      conn_.close();
      return fail("protocol.reply_too_large", "one " + keyword + " response went on past " +
                                                  std::to_string(whole.size()) +
                                                  " bytes of literals; MailDoctor stopped reading");
    }
    whole += "\r\n";
    if (auto r = conn_.read_exact(static_cast<size_t>(*n), whole, awaited); !r) return r.failure();
    auto more = conn_.read_line(awaited, kMaxImapLineLength);
    if (!more) return more;
    whole += more.value();
  }
  return whole;
}

Result<imap::StatusResponse> ImapClient::read_until_tagged(const std::string& tag, std::string_view awaited,
                                                           const UntaggedCallback& on_untagged) {
  uint64_t untagged = 0, untagged_bytes = 0;
  for (;;) {
    auto line = read_response_line(awaited);
    if (!line) return line.failure();
    const std::string& text = line.value();
    if (text.starts_with("* ")) {
      untagged_bytes += text.size();
      if (++untagged > limits_.max_lines || untagged_bytes > limits_.max_bytes) {
        conn_.close();  // the tagged reply is unread: the connection cannot be used again
        return fail("protocol.reply_too_large", "the server's answer (" + std::string(awaited) + ") went on past " +
                                                    std::to_string(untagged) + " untagged responses and " +
                                                    std::to_string(untagged_bytes) +
                                                    " bytes; MailDoctor stopped reading");
      }
      if (auto u = imap::parse_untagged(text); u && u->keyword == "CAPABILITY")
        caps_ = imap::parse_capabilities(u->rest);
      if (on_untagged) on_untagged(text);
      continue;
    }
    if (text.starts_with(tag + " ")) {
      auto status = imap::parse_status(text);
      if (!status || status->status == "BYE" || status->status == "PREAUTH")
        return fail("protocol.bad_response", "malformed tagged reply: " + printable(text));
      remember_capabilities(*status);
      last_ = *status;
      return std::move(*status);
    }
    if (text.starts_with("+"))
      return fail("protocol.bad_response", "the server asked for more input while answering: " + printable(text));
    return fail("protocol.bad_response", "not an IMAP response: " + printable(text));
  }
}

Result<imap::StatusResponse> ImapClient::command(std::string_view command, const UntaggedCallback& on_untagged) {
  std::string tag = next_tag();
  if (auto w = conn_.write_line(tag + " " + std::string(command)); !w) return w.failure();
  std::string verb(command.substr(0, command.find(' ')));
  return read_until_tagged(tag, "the reply to " + verb, on_untagged);
}

Result<imap::Capabilities> ImapClient::capability() {
  caps_.reset();
  auto r = command("CAPABILITY");
  if (!r) return r.failure();
  if (!r.value().ok() || !caps_)
    return fail("protocol.bad_response", "CAPABILITY refused or empty: " + printable(r.value().line));
  return *caps_;
}

Result<TlsInfo> ImapClient::starttls(const TlsOptions& options) {
  auto r = command("STARTTLS");
  if (!r) return r.failure();
  if (!r.value().ok()) return fail("tls.starttls_unavailable", "STARTTLS refused: " + printable(r.value().line));
  caps_.reset();  // what the server said before TLS cannot be trusted
  return conn_.start_tls(options);
}

Result<AuthResult> ImapClient::login_command(const sasl::Credentials& c) {
  auto user = imap::quote(c.user);
  if (!user) return fail("auth.bad_credentials", "the user name holds characters IMAP LOGIN cannot carry");
  std::string tag = next_tag();
  std::string head = tag + " LOGIN " + *user + " ";
  if (auto password = imap::quote(c.secret)) {
    if (auto w = conn_.write_secret_line(head + *password, head + std::string(protolog::kRedacted)); !w)
      return w.failure();
  } else {
    // 8-bit or control bytes: a synchronising literal, sent after the server's "+".
    if (c.secret.find_first_of("\r\n") != std::string::npos || c.secret.find('\0') != std::string::npos)
      return fail("auth.bad_credentials", "the password holds a line break or NUL, which IMAP LOGIN cannot carry");
    std::string announce = head + "{" + std::to_string(c.secret.size()) + "}";
    if (auto w = conn_.write_line(announce); !w) return w.failure();
    auto go = conn_.read_line("the go-ahead for the password");
    if (!go) return go.failure();
    if (!go.value().starts_with("+")) {
      AuthResult refused;
      if (auto s = imap::parse_status(go.value())) refused.response = *s;
      last_ = refused.response;
      return refused;
    }
    if (auto w = conn_.write_secret_line(c.secret, protolog::kRedacted); !w) return w.failure();
  }
  AuthResult result;
  auto r = read_until_tagged(tag, "the reply to LOGIN", [&](std::string_view l) { result.untagged.emplace_back(l); });
  if (!r) return r.failure();
  result.response = std::move(r).value();
  result.ok = result.response.ok();
  return result;
}

Result<AuthResult> ImapClient::authenticate(sasl::Mechanism m, const sasl::Credentials& c) {
  if (m == sasl::Mechanism::login) return login_command(c);
  auto message = sasl::initial_response(m, c);
  if (!message) return message.failure();
  const std::string response = util::base64_encode(message.value());
  const std::string name(sasl::name(m));
  const std::string tag = next_tag();
  const std::string verb = tag + " AUTHENTICATE " + name;
  bool sent_response = caps_ && caps_->sasl_ir();
  if (sent_response) {
    // RFC 4959: an empty initial response is sent as "=".
    auto w = conn_.write_secret_line(verb + " " + (response.empty() ? "=" : response),
                                     verb + " " + std::string(protolog::kRedacted));
    if (!w) return w.failure();
  } else if (auto w = conn_.write_line(verb); !w) {
    return w.failure();
  }

  AuthResult result;
  bool answered_challenge = false;
  for (;;) {
    auto line = read_response_line("the reply to AUTHENTICATE " + name);
    if (!line) return line.failure();
    const std::string& text = line.value();
    if (text.starts_with("+")) {
      std::string_view payload = std::string_view(text).substr(1);
      if (!payload.empty() && payload.front() == ' ') payload.remove_prefix(1);
      if (!sent_response) {
        if (auto w = conn_.write_secret_line(response, protolog::kRedacted); !w) return w.failure();
        sent_response = true;
        continue;
      }
      if (answered_challenge || !sasl::is_bearer(m)) {
        // A challenge MailDoctor has no answer for: cancel the exchange (RFC 3501 6.2.2).
        if (auto w = conn_.write_line("*"); !w) return w.failure();
        continue;
      }
      // The bearer error challenge: keep it, answer it, then the tagged NO follows.
      result.challenge_base64 = std::string(payload);
      if (auto decoded = sasl::decode_challenge(payload))
        result.challenge = std::move(decoded).value();
      else
        result.challenge_error = decoded.failure().detail;
      if (auto w = conn_.write_line(util::base64_encode(sasl::error_challenge_answer(m))); !w) return w.failure();
      answered_challenge = true;
      continue;
    }
    if (text.starts_with("* ")) {
      if (auto u = imap::parse_untagged(text); u && u->keyword == "CAPABILITY")
        caps_ = imap::parse_capabilities(u->rest);
      result.untagged.push_back(text);
      continue;
    }
    if (text.starts_with(tag + " ")) {
      auto status = imap::parse_status(text);
      if (!status || status->status == "BYE" || status->status == "PREAUTH")
        return fail("protocol.bad_response", "malformed reply to AUTHENTICATE: " + printable(text));
      remember_capabilities(*status);
      last_ = *status;
      result.response = std::move(*status);
      result.ok = result.response.ok();
      return result;
    }
    return fail("protocol.bad_response", "not an IMAP response: " + printable(text));
  }
}

Result<Mailbox> ImapClient::open_mailbox(std::string_view verb, std::string_view mailbox) {
  auto quoted = imap::quote(mailbox);
  if (!quoted) return fail("imap.mailbox_missing", "the mailbox name " + printable(mailbox) + " cannot be sent");
  Mailbox box;
  box.name = std::string(mailbox);
  auto on_untagged = [&](std::string_view line) {
    if (auto s = imap::parse_status(line)) {
      // A malformed number leaves the field unset: the ladder reports it missing.
      auto num = [&](auto& out) {
        using T = typename std::remove_reference_t<decltype(out)>::value_type;
        T v{};
        const std::string& a = s->code_args;
        auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), v);
        if (ec == std::errc() && end == a.data() + a.size()) out = v;
      };
      if (s->code == "UIDVALIDITY") num(box.uidvalidity);
      if (s->code == "UIDNEXT") num(box.uidnext);
      if (s->code == "UNSEEN") num(box.unseen);
      if (s->code == "HIGHESTMODSEQ") num(box.highestmodseq);
      if (s->code == "PERMANENTFLAGS")
        box.permanent_flags = imap::parse_atom_list(s->code_args).value_or(std::vector<std::string>{});
      return;
    }
    auto u = imap::parse_untagged(line);
    if (!u) return;
    if (u->number && u->keyword == "EXISTS") box.exists = *u->number;
    if (u->number && u->keyword == "RECENT") box.recent = *u->number;
    if (u->keyword == "FLAGS") box.flags = imap::parse_atom_list(u->rest).value_or(std::vector<std::string>{});
  };
  auto r = command(std::string(verb) + " " + *quoted, on_untagged);
  if (!r) return r.failure();
  if (!r.value().ok()) return mailbox_failure(verb, *quoted, r.value());
  box.response = std::move(r).value();
  box.read_only = box.response.code == "READ-ONLY" || verb == "EXAMINE";
  return box;
}

Result<Mailbox> ImapClient::select(std::string_view mailbox) {
  return open_mailbox("SELECT", mailbox);
}

Result<Mailbox> ImapClient::examine(std::string_view mailbox) {
  return open_mailbox("EXAMINE", mailbox);
}

Result<FetchSummary> ImapClient::uid_fetch(std::string_view uid_set, std::string_view items,
                                           const FetchCallback& on_message) {
  if (uid_set.empty() || uid_set.find_first_not_of("0123456789:,*") != std::string_view::npos)
    return fail("protocol.bad_response", "not a UID set: " + printable(uid_set));
  const std::string tag = next_tag();
  if (auto w = conn_.write_line(tag + " UID FETCH " + std::string(uid_set) + " " + std::string(items)); !w)
    return w.failure();
  FetchSummary summary;
  ConnectionInput input(conn_);
  for (;;) {
    auto line = conn_.read_line("the FETCH results", kMaxImapLineLength);
    if (!line) return line.failure();
    if (imap::is_fetch_line(line.value())) {
      auto msg = imap::parse_fetch(std::move(line).value(), input, max_literal_);
      if (!msg) {
        conn_.close();  // the rest of the response cannot be found in the stream any more
        return msg.failure();
      }
      ++summary.messages;
      for (const auto& s : msg.value().sections) summary.body_bytes += s.bytes ? s.bytes->size() : 0;
      if (auto r = on_message(msg.value()); !r) {
        conn_.close();
        return r.failure();
      }
      continue;
    }
    const std::string& text = line.value();
    if (text.starts_with(tag + " ")) {
      auto status = imap::parse_status(text);
      if (!status) return fail("protocol.bad_response", "malformed reply to UID FETCH: " + printable(text));
      last_ = *status;
      summary.response = std::move(*status);
      return summary;
    }
    if (!text.starts_with("* ")) return fail("protocol.bad_response", "not an IMAP response: " + printable(text));
    // Other untagged data (EXISTS, EXPUNGE, OK …) may interleave; skip any literal it carries.
    if (imap::parse_status(text)) continue;
    std::string current = text;
    while (auto n = imap::trailing_literal(current)) {
      std::string skipped;
      if (*n > kMaxInlineLiteral) return fail("protocol.bad_response", "oversized literal in untagged data");
      if (auto r = conn_.read_exact(static_cast<size_t>(*n), skipped, "untagged data"); !r) return r.failure();
      auto more = conn_.read_line("untagged data", kMaxImapLineLength);
      if (!more) return more.failure();
      current = std::move(more).value();
    }
  }
}

Result<void> ImapClient::logout() {
  std::string tag = next_tag();
  if (auto w = conn_.write_line(tag + " LOGOUT"); !w) {
    conn_.close();
    return {};
  }
  bool bye = false;
  auto r = read_until_tagged(tag, "the reply to LOGOUT", [&](std::string_view l) {
    if (l.starts_with("* BYE")) bye = true;
  });
  conn_.close();
  if (!r && !(bye && r.failure().code == "protocol.connection_lost")) return r.failure();
  return {};
}

}  // namespace md::mail

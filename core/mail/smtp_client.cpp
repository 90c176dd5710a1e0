#include "mail/smtp_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "platform/socket.h"
#include "util/encoding.h"

namespace md::mail {
namespace {

constexpr size_t kMaxReplyLines = 1000;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// "5.7.139" at the start of a line's text (RFC 3463: class.subject.detail, 1-3 digits each).
size_t enhanced_length(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
  size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    size_t start = i;
    while (i < text.size() && digit(text[i]) && i - start < 3) ++i;
    if (i == start) return 0;
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ') return 0;
  return i;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t end = s.find(' ');
    if (end != 0) out.push_back(s.substr(0, end));
    s = end == std::string_view::npos ? std::string_view{} : s.substr(end + 1);
  }
  return out;
}

}  // namespace

std::string SmtpReply::text() const {
  std::string out;
  for (const std::string& l : lines) {
    std::string_view t = l;
    if (size_t n = enhanced_length(t)) t.remove_prefix(n);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    if (t.empty()) continue;
    out += (out.empty() ? "" : " ") + std::string(t);
  }
  return out;
}

Result<bool> SmtpReplyParser::feed(std::string_view line) {
  int code = 0;
  bool well_formed = line.size() >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2]) &&
                     (line.size() == 3 || line[3] == ' ' || line[3] == '-');
  if (well_formed) std::from_chars(line.data(), line.data() + 3, code);
  if (!well_formed || code < 200 || code > 599 || (reply_.code != 0 && code != reply_.code))
    return fail("protocol.bad_response", "not an SMTP reply line: " + printable(line));
  if (reply_.lines.size() >= kMaxReplyLines) return fail("protocol.bad_response", "an SMTP reply without an end");
  reply_.code = code;
  std::string text = line.size() > 4 ? std::string(line.substr(4)) : std::string();
  if (reply_.lines.empty())
    if (size_t n = enhanced_length(text)) reply_.enhanced = text.substr(0, n);
  reply_.raw += (reply_.raw.empty() ? "" : "\n") + std::string(line);
  reply_.lines.push_back(std::move(text));
  return line.size() == 3 || line[3] == ' ';
}

Result<SmtpReply> parse_smtp_reply(std::string_view text) {
  SmtpReplyParser parser;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto done = parser.feed(line);
    if (!done) return done.failure();
    if (done.value()) {
      if (!text.empty()) return fail("protocol.bad_response", "text after the end of the SMTP reply");
      return parser.take();
    }
  }
  return fail("protocol.connection_lost", "the SMTP reply ended in the middle");
}

bool SmtpExtensions::has(std::string_view keyword) const {
  std::string want = upper(keyword);
  return std::any_of(keywords.begin(), keywords.end(),
                     [&](const std::string& k) { return upper(k.substr(0, k.find(' '))) == want; });
}

bool SmtpExtensions::supports(sasl::Mechanism m) const {
  return std::find(auth.begin(), auth.end(), std::string(sasl::name(m))) != auth.end();
}

SmtpExtensions parse_ehlo(const SmtpReply& reply) {
  SmtpExtensions ext;
  if (reply.lines.empty()) return ext;
  ext.greeting = reply.lines.front();
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string& line = reply.lines[i];
    ext.keywords.push_back(line);
    auto w = words(line);
    if (w.empty()) continue;
    std::string key = upper(w[0]);
    // "AUTH PLAIN LOGIN", and the pre-standard "AUTH=PLAIN LOGIN" some servers still send.
    if (key == "AUTH" || key.starts_with("AUTH=")) {
      std::vector<std::string> mechs;
      if (key.size() > 5) mechs.push_back(key.substr(5));
      for (size_t j = 1; j < w.size(); ++j) mechs.push_back(upper(w[j]));
      for (std::string& mech : mechs)
        if (std::find(ext.auth.begin(), ext.auth.end(), mech) == ext.auth.end()) ext.auth.push_back(std::move(mech));
    }
    if (key == "SIZE" && w.size() > 1) {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), v);
      if (ec == std::errc() && end == w[1].data() + w[1].size()) ext.size = v;
    }
  }
  return ext;
}

std::string dot_stuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out += '.';
    if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;  // the \n writes CRLF
    if (c == '\n' || c == '\r') {
      out += "\r\n";
      line_start = true;
      continue;
    }
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

SmtpClient::SmtpClient(Connection connection) : conn_(std::move(connection)) {}

Result<SmtpReply> SmtpClient::read_reply(std::string_view awaited) {
  SmtpReplyParser parser;
  for (;;) {
    auto line = conn_.read_line(awaited);
    if (!line) return line.failure();
    auto done = parser.feed(line.value());
    if (!done) return done.failure();
    if (done.value()) {
      last_reply_ = parser.take();
      return last_reply_;
    }
  }
}

Result<SmtpReply> SmtpClient::command(std::string_view line) {
  if (auto w = conn_.write_line(line); !w) return w.failure();
  return read_reply("the reply to " + std::string(line.substr(0, line.find_first_of(" :"))));
}

Result<SmtpReply> SmtpClient::read_greeting() {
  SmtpReplyParser parser;
  for (;;) {
    auto line = conn_.read_line("the server's SMTP greeting");
    if (!line) {
      const Failure& f = line.failure();
      if (f.code == "tcp.timeout" || f.code == "protocol.connection_lost")
        return fail("protocol.no_greeting", f.detail + " (no SMTP greeting)");
      return fail("protocol.unexpected_greeting", f.detail);
    }
    auto done = parser.feed(line.value());
    if (!done) return fail("protocol.unexpected_greeting", "not an SMTP greeting: " + printable(line.value()));
    if (!done.value()) continue;
    SmtpReply reply = parser.take();
    if (reply.code != 220 && reply.code != 554 && reply.code != 421)
      return fail("protocol.unexpected_greeting", "not an SMTP greeting: " + printable(reply.raw));
    return reply;
  }
}

std::string SmtpClient::default_client_name() const {
  char host[256] = {};
  if (platform::host_name(host, sizeof host - 1) == 0) {
    const std::string_view name(host);
    // A domain name of letters, digits, hyphens and dots, with at least one dot inside.
    const bool ldh = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '.';
    });
    const size_t dot = name.find('.');
    if (ldh && dot != std::string_view::npos && dot > 0 && name.back() != '.' && !name.ends_with(".localdomain"))
      return std::string(name);
  }
  std::string literal = conn_.local_address_literal();
  return literal.empty() ? "[127.0.0.1]" : literal;
}

Result<SmtpExtensions> SmtpClient::ehlo(std::string_view client_name) {
  auto r = command("EHLO " + (client_name.empty() ? default_client_name() : std::string(client_name)));
  if (!r) return r.failure();
  if (r.value().code != 250) return fail("protocol.bad_response", "EHLO refused: " + printable(r.value().raw, 400));
  extensions_ = parse_ehlo(r.value());
  return *extensions_;
}

Result<TlsInfo> SmtpClient::starttls(const TlsOptions& options) {
  auto r = command("STARTTLS");
  if (!r) return r.failure();
  if (r.value().code != 220) return fail("tls.starttls_unavailable", "STARTTLS refused: " + printable(r.value().raw));
  extensions_.reset();
  return conn_.start_tls(options);
}

Result<SmtpAuthResult> SmtpClient::authenticate(sasl::Mechanism m, const sasl::Credentials& c) {
  const std::string verb = "AUTH " + std::string(sasl::name(m));
  SmtpAuthResult result;
  std::vector<std::string> prompts_answers;  // LOGIN: user then password
  if (m == sasl::Mechanism::login) {
    prompts_answers = {util::base64_encode(c.user), util::base64_encode(c.secret)};
    if (auto w = conn_.write_line(verb); !w) return w.failure();
  } else {
    auto message = sasl::initial_response(m, c);
    if (!message) return message.failure();
    auto w = conn_.write_secret_line(verb + " " + util::base64_encode(message.value()),
                                     verb + " " + std::string(protolog::kRedacted));
    if (!w) return w.failure();
  }
  size_t next_answer = 0;
  bool answered_challenge = false;
  for (;;) {
    auto r = read_reply("the reply to " + verb);
    if (!r) return r.failure();
    if (r.value().code != 334) {
      result.reply = std::move(r).value();
      result.ok = result.reply.code == 235;
      return result;
    }
    if (next_answer < prompts_answers.size()) {
      if (auto w = conn_.write_secret_line(prompts_answers[next_answer++], protolog::kRedacted); !w) return w.failure();
      continue;
    }
    if (answered_challenge || !sasl::is_bearer(m)) {
      if (auto w = conn_.write_line("*"); !w) return w.failure();  // cancel (RFC 4954 4)
      continue;
    }
    std::string_view payload = r.value().lines.empty() ? std::string_view{} : std::string_view(r.value().lines[0]);
    result.challenge_base64 = std::string(payload);
    if (auto decoded = sasl::decode_challenge(payload))
      result.challenge = std::move(decoded).value();
    else
      result.challenge_error = decoded.failure().detail;
    if (auto w = conn_.write_line(util::base64_encode(sasl::error_challenge_answer(m))); !w) return w.failure();
    answered_challenge = true;
  }
}

Result<SmtpReply> SmtpClient::send_message(std::string_view from, const std::vector<std::string>& recipients,
                                           std::string_view message) {
  auto clean = [](std::string_view a) { return a.find_first_of("\r\n<>") == std::string_view::npos; };
  if (!clean(from) || recipients.empty() || !std::all_of(recipients.begin(), recipients.end(), clean))
    return fail("smtp.rejected", "the sender or a recipient address is not valid");
  auto refused = [](std::string_view what, const SmtpReply& r) {
    return fail("smtp.rejected", std::string(what) + ": " + printable(r.raw, 600));
  };
  const std::string wire = dot_stuff(message);
  std::string mail_from = "MAIL FROM:<" + std::string(from) + ">";
  if (extensions_ && extensions_->has("SIZE")) mail_from += " SIZE=" + std::to_string(wire.size());
  auto r = command(mail_from);
  if (!r) return r.failure();
  if (r.value().code != 250) return refused(mail_from, r.value());
  for (const std::string& to : recipients) {
    std::string rcpt = "RCPT TO:<" + to + ">";
    r = command(rcpt);
    if (!r) return r.failure();
    if (r.value().code != 250 && r.value().code != 251) return refused(rcpt, r.value());
  }
  r = command("DATA");
  if (!r) return r.failure();
  if (r.value().code != 354) return refused("DATA", r.value());
  conn_.log(protolog::Direction::client, "{" + std::to_string(wire.size() - 3) + " bytes}");
  conn_.log(protolog::Direction::client, ".");
  if (auto w = conn_.write_all(wire, "the test message"); !w) return w.failure();
  r = read_reply("the reply to the message's end");
  if (!r) return r.failure();
  if (r.value().code != 250) return refused("the message", r.value());
  return r;
}

Result<void> SmtpClient::quit() {
  auto r = command("QUIT");
  conn_.close();
  if (!r && r.failure().code != "protocol.connection_lost") return r.failure();
  return {};
}

}  // namespace md::mail

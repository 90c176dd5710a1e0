#include "mail/pop3_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/encoding.h"

namespace md::mail {
namespace {

// Message lines may be longer than protocol lines (unwrapped HTML); a line this long is not mail.
constexpr size_t kMaxBodyLine = 16 * 1024 * 1024;
constexpr size_t kSinkChunk = 256 * 1024;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

Failure refused(std::string_view command, const Pop3Reply& r) {
  std::string lower = r.text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string detail = std::string(command) + ": " + printable(r.line, 400);
  if (lower.find("authenticated but not connected") != std::string::npos) return fail("auth.not_connected", detail);
  if (r.code == "IN-USE" || r.code == "LOGIN-DELAY" || r.code == "SYS/TEMP") return fail("imap.throttled", detail);
  return fail("protocol.bad_response", detail);
}

}  // namespace

std::optional<Pop3Reply> parse_pop3_reply(std::string_view line) {
  Pop3Reply r;
  r.line = std::string(line);
  std::string_view rest;
  if (line.starts_with("+OK")) {
    r.ok = true;
    rest = line.substr(3);
  } else if (line.starts_with("-ERR")) {
    rest = line.substr(4);
  } else {
    return std::nullopt;
  }
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;  // "+OKAY" is not POP3
  if (!rest.empty()) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      r.code = upper(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
  }
  r.text = std::string(rest);
  return r;
}

bool Pop3Capabilities::has(std::string_view keyword) const {
  std::string want = upper(keyword);
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return upper(l.substr(0, l.find(' '))) == want; });
}

bool Pop3Capabilities::supports(sasl::Mechanism m) const {
  return std::find(sasl.begin(), sasl.end(), std::string(sasl::name(m))) != sasl.end();
}

Pop3Capabilities parse_pop3_capabilities(const std::vector<std::string>& lines) {
  Pop3Capabilities caps;
  caps.lines = lines;
  for (const std::string& l : lines) {
    std::string_view rest = l;
    size_t sp = rest.find(' ');
    if (upper(rest.substr(0, sp)) != "SASL" || sp == std::string_view::npos) continue;
    rest.remove_prefix(sp + 1);
    while (!rest.empty()) {
      size_t end = rest.find(' ');
      if (end != 0) caps.sasl.push_back(upper(rest.substr(0, end)));
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
  }
  return caps;
}

Pop3Client::Pop3Client(Connection connection) : conn_(std::move(connection)) {}

Result<Pop3Reply> Pop3Client::read_reply(std::string_view awaited) {
  auto line = conn_.read_line(awaited);
  if (!line) return line.failure();
  auto r = parse_pop3_reply(line.value());
  if (!r)
    return fail("protocol.bad_response",
                "not a POP3 reply to " + std::string(awaited) + ": " + printable(line.value()));
  return std::move(*r);
}

Result<Pop3Reply> Pop3Client::simple(std::string_view command) {
  if (auto w = conn_.write_line(command); !w) return w.failure();
  return read_reply("the reply to " + std::string(command.substr(0, command.find(' '))));
}

Result<std::vector<std::string>> Pop3Client::read_multiline(std::string_view awaited) {
  std::vector<std::string> lines;
  uint64_t bytes = 0;
  for (;;) {
    auto line = conn_.read_line(awaited, kMaxLineLength, false);
    if (!line) return line.failure();
    if (line.value() == ".") break;
    std::string& l = line.value();
    bytes += l.size() + 2;
    if (lines.size() >= limits_.max_lines || bytes > limits_.max_bytes) {
      conn_.close();  // the rest of the reply is unread: the connection cannot be used again
      return fail("protocol.reply_too_large", "the server's answer (" + std::string(awaited) + ") went on past " +
                                                  std::to_string(lines.size()) + " lines and " + std::to_string(bytes) +
                                                  " bytes; MailDoctor stopped reading");
    }
    lines.push_back(l.starts_with("..") ? l.substr(1) : std::move(l));
  }
  conn_.note("(" + std::to_string(lines.size()) + " lines, then \".\")");
  return lines;
}

Result<Pop3Reply> Pop3Client::read_greeting() {
  auto line = conn_.read_line("the server's POP3 greeting");
  if (!line) {
    const Failure& f = line.failure();
    if (f.code == "tcp.timeout" || f.code == "protocol.connection_lost")
      return fail("protocol.no_greeting", f.detail + " (no POP3 greeting)");
    return fail("protocol.unexpected_greeting", f.detail);
  }
  auto r = parse_pop3_reply(line.value());
  if (!r) return fail("protocol.unexpected_greeting", "not a POP3 greeting: " + printable(line.value()));
  return std::move(*r);
}

Result<Pop3Capabilities> Pop3Client::capa() {
  auto r = simple("CAPA");
  if (!r) return r.failure();
  if (!r.value().ok) return Pop3Capabilities{};
  auto lines = read_multiline("the CAPA list");
  if (!lines) return lines.failure();
  return parse_pop3_capabilities(lines.value());
}

Result<TlsInfo> Pop3Client::stls(const TlsOptions& options) {
  auto r = simple("STLS");
  if (!r) return r.failure();
  if (!r.value().ok) return fail("tls.starttls_unavailable", "STLS refused: " + printable(r.value().line));
  return conn_.start_tls(options);
}

Result<Pop3AuthResult> Pop3Client::finish_auth(sasl::Mechanism m, Pop3AuthResult result) {
  bool answered = false;
  for (;;) {
    auto line = conn_.read_line("the reply to AUTH " + std::string(sasl::name(m)));
    if (!line) return line.failure();
    if (auto r = parse_pop3_reply(line.value())) {
      result.reply = std::move(*r);
      result.ok = result.reply.ok;
      return result;
    }
    if (!line.value().starts_with("+"))
      return fail("protocol.bad_response", "not a POP3 reply: " + printable(line.value()));
    if (answered || !sasl::is_bearer(m)) {
      if (auto w = conn_.write_line("*"); !w) return w.failure();  // cancel (RFC 5034)
      continue;
    }
    std::string_view payload = std::string_view(line.value()).substr(1);
    if (!payload.empty() && payload.front() == ' ') payload.remove_prefix(1);
    result.challenge_base64 = std::string(payload);
    if (auto decoded = sasl::decode_challenge(payload))
      result.challenge = std::move(decoded).value();
    else
      result.challenge_error = decoded.failure().detail;
    if (auto w = conn_.write_line(util::base64_encode(sasl::error_challenge_answer(m))); !w) return w.failure();
    answered = true;
  }
}

Result<Pop3AuthResult> Pop3Client::authenticate(sasl::Mechanism m, const sasl::Credentials& c,
                                                bool inline_initial_response) {
  const std::string verb = "AUTH " + std::string(sasl::name(m));
  Pop3AuthResult result;
  // Waits for the server's "+" prompt; a -ERR instead ends the exchange.
  auto prompt = [&]() -> Result<bool> {
    auto line = conn_.read_line("the server's prompt for " + verb);
    if (!line) return line.failure();
    if (auto r = parse_pop3_reply(line.value())) {
      result.reply = std::move(*r);
      return false;
    }
    if (!line.value().starts_with("+"))
      return fail("protocol.bad_response", "not a POP3 reply: " + printable(line.value()));
    return true;
  };
  if (m == sasl::Mechanism::login) {
    if (auto w = conn_.write_line(verb); !w) return w.failure();
    for (std::string_view answer : {std::string_view(c.user), std::string_view(c.secret)}) {
      auto go = prompt();
      if (!go) return go.failure();
      if (!go.value()) return result;
      if (auto w = conn_.write_secret_line(util::base64_encode(answer), protolog::kRedacted); !w) return w.failure();
    }
    return finish_auth(m, std::move(result));
  }
  auto message = sasl::initial_response(m, c);
  if (!message) return message.failure();
  const std::string response = util::base64_encode(message.value());
  if (inline_initial_response) {
    if (auto w = conn_.write_secret_line(verb + " " + response, verb + " " + std::string(protolog::kRedacted)); !w)
      return w.failure();
  } else {
    if (auto w = conn_.write_line(verb); !w) return w.failure();
    auto go = prompt();
    if (!go) return go.failure();
    if (!go.value()) return result;
    if (auto w = conn_.write_secret_line(response, protolog::kRedacted); !w) return w.failure();
  }
  return finish_auth(m, std::move(result));
}

Result<Pop3AuthResult> Pop3Client::user_pass(std::string_view user, std::string_view password) {
  if (user.find_first_of("\r\n") != std::string_view::npos || password.find_first_of("\r\n") != std::string_view::npos)
    return fail("auth.bad_credentials", "the user name or password holds a line break");
  Pop3AuthResult result;
  auto r = simple("USER " + std::string(user));
  if (!r) return r.failure();
  if (r.value().ok) {
    auto w = conn_.write_secret_line("PASS " + std::string(password), "PASS " + std::string(protolog::kRedacted));
    if (!w) return w.failure();
    r = read_reply("the reply to PASS");
    if (!r) return r.failure();
  }
  result.reply = std::move(r).value();
  result.ok = result.reply.ok;
  return result;
}

Result<Pop3Stat> Pop3Client::stat() {
  auto r = simple("STAT");
  if (!r) return r.failure();
  if (!r.value().ok) return refused("STAT", r.value());
  std::string_view rest = r.value().text;
  size_t sp = rest.find(' ');
  auto count = number<uint32_t>(rest.substr(0, sp));
  auto octets = sp == std::string_view::npos ? std::nullopt
                                             : number<uint64_t>(rest.substr(sp + 1, rest.find(' ', sp + 1) - sp - 1));
  if (!count || !octets) return fail("protocol.bad_response", "malformed STAT reply: " + printable(r.value().line));
  return Pop3Stat{*count, *octets};
}

Result<std::vector<Pop3Uid>> Pop3Client::uidl() {
  auto r = simple("UIDL");
  if (!r) return r.failure();
  if (!r.value().ok) return refused("UIDL", r.value());
  auto lines = read_multiline("the UIDL list");
  if (!lines) return lines.failure();
  std::vector<Pop3Uid> out;
  out.reserve(lines.value().size());
  for (const std::string& l : lines.value()) {
    size_t sp = l.find(' ');
    auto n = number<uint32_t>(std::string_view(l).substr(0, sp));
    // RFC 1939: the unique-id is 1 to 70 characters 0x21..0x7E.
    std::string uid = sp == std::string::npos ? std::string() : l.substr(sp + 1);
    bool valid_uid = !uid.empty() && uid.size() <= 70 &&
                     std::all_of(uid.begin(), uid.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
    if (!n || !valid_uid) return fail("protocol.bad_response", "malformed UIDL line: " + printable(l));
    out.push_back(Pop3Uid{*n, std::move(uid)});
  }
  return out;
}

Result<uint64_t> Pop3Client::read_message(const Pop3Sink& sink) {
  uint64_t total = 0;
  std::string chunk;
  chunk.reserve(kSinkChunk + 1024);
  for (;;) {
    auto line = conn_.read_line("the message's lines", kMaxBodyLine, false);
    if (!line) return line.failure();
    std::string_view l = line.value();
    if (l == ".") break;
    if (l.starts_with("..")) l.remove_prefix(1);  // dot-unstuffing (RFC 1939 3)
    chunk.append(l);
    chunk += "\r\n";
    if (chunk.size() >= kSinkChunk) {
      total += chunk.size();
      if (auto s = sink(chunk); !s) {
        conn_.close();  // the rest of the message is still on its way
        return s.failure();
      }
      chunk.clear();
    }
  }
  total += chunk.size();
  if (!chunk.empty())
    if (auto s = sink(chunk); !s) return s.failure();
  conn_.note("{" + std::to_string(total) + " bytes}, then \".\"");
  return total;
}

Result<uint64_t> Pop3Client::retr(uint32_t number, const Pop3Sink& sink) {
  auto r = simple("RETR " + std::to_string(number));
  if (!r) return r.failure();
  if (!r.value().ok) return refused("RETR " + std::to_string(number), r.value());
  return read_message(sink);
}

Result<uint64_t> Pop3Client::retr_many(const std::vector<uint32_t>& numbers, size_t window,
                                       const Pop3MessageCallback& on_message) {
  window = std::max<size_t>(window, 1);
  uint64_t total = 0;
  size_t sent = 0;
  std::string message;
  for (size_t done = 0; done < numbers.size(); ++done) {
    // Keep `window` commands ahead of the replies; they are small, so writing never waits on reading.
    std::string wire;
    for (; sent < numbers.size() && sent < done + window; ++sent) {
      std::string command = "RETR " + std::to_string(numbers[sent]);
      conn_.log(protolog::Direction::client, command);
      wire += command + "\r\n";
    }
    if (!wire.empty())
      if (auto w = conn_.write_all(wire, "RETR"); !w) return w.failure();
    auto reply = read_reply("the reply to RETR " + std::to_string(numbers[done]));
    if (!reply) return reply.failure();
    if (!reply.value().ok) {
      conn_.close();  // replies to the commands still in flight would follow
      return refused("RETR " + std::to_string(numbers[done]), reply.value());
    }
    message.clear();
    auto size = read_message([&](std::string_view bytes) -> Result<void> {
      message.append(bytes);
      return {};
    });
    if (!size) return size.failure();
    total += size.value();
    if (auto r = on_message(numbers[done], message); !r) {
      conn_.close();
      return r.failure();
    }
  }
  return total;
}

Result<std::string> Pop3Client::retr(uint32_t number) {
  std::string out;
  auto r = retr(number, [&](std::string_view bytes) -> Result<void> {
    out.append(bytes);
    return {};
  });
  if (!r) return r.failure();
  return out;
}

Result<void> Pop3Client::quit() {
  auto r = simple("QUIT");
  conn_.close();
  if (!r && r.failure().code != "protocol.connection_lost") return r.failure();
  return {};
}

}  // namespace md::mail

#include "mail/sasl.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "util/encoding.h"

namespace md::mail::sasl {
namespace {

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

Failure bad_field(std::string_view what) {
  return fail("auth.bad_credentials",
              std::string(what) + " contains a control character and cannot be sent in a sign-in message");
}

// The gs2 "saslname" of RFC 5801: ',' and '=' are escaped.
std::string saslname(std::string_view user) {
  std::string out;
  for (char c : user) {
    if (c == ',')
      out += "=2C";
    else if (c == '=')
      out += "=3D";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string_view name(Mechanism m) {
  switch (m) {
    case Mechanism::xoauth2: return "XOAUTH2";
    case Mechanism::oauthbearer: return "OAUTHBEARER";
    case Mechanism::plain: return "PLAIN";
    case Mechanism::login: return "LOGIN";
  }
  return "PLAIN";
}

std::optional<Mechanism> parse_mechanism(std::string_view text) {
  std::string up(text);
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  for (Mechanism m : {Mechanism::xoauth2, Mechanism::oauthbearer, Mechanism::plain, Mechanism::login})
    if (name(m) == up) return m;
  return std::nullopt;
}

bool is_bearer(Mechanism m) {
  return m == Mechanism::xoauth2 || m == Mechanism::oauthbearer;
}

Result<std::string> xoauth2(std::string_view user, std::string_view token) {
  if (has_control(user)) return bad_field("the user name");
  if (has_control(token)) return bad_field("the access token");
  return "user=" + std::string(user) + "\x01" + "auth=Bearer " + std::string(token) + "\x01\x01";
}

Result<std::string> oauthbearer(std::string_view user, std::string_view token, std::string_view host, uint16_t port) {
  if (has_control(user)) return bad_field("the user name");
  if (has_control(token)) return bad_field("the access token");
  if (has_control(host)) return bad_field("the host name");
  std::string out = "n,a=" + saslname(user) + ",\x01";
  if (!host.empty()) out += "host=" + std::string(host) + "\x01";
  if (port != 0) out += "port=" + std::to_string(port) + "\x01";
  out += "auth=Bearer " + std::string(token) + "\x01\x01";
  return out;
}

Result<std::string> plain(std::string_view user, std::string_view password) {
  // PLAIN separates its fields with NUL: a NUL inside one would shift them.
  if (user.find('\0') != std::string_view::npos) return bad_field("the user name");
  if (password.find('\0') != std::string_view::npos) return bad_field("the password");
  std::string out;
  out += '\0';
  out += user;
  out += '\0';
  out += password;
  return out;
}

Result<std::string> initial_response(Mechanism m, const Credentials& c) {
  switch (m) {
    case Mechanism::xoauth2: return xoauth2(c.user, c.secret);
    case Mechanism::oauthbearer: return oauthbearer(c.user, c.secret, c.host, c.port);
    case Mechanism::plain: return plain(c.user, c.secret);
    case Mechanism::login: return std::string();
  }
  return std::string();
}

std::string error_challenge_answer(Mechanism m) {
  return m == Mechanism::oauthbearer ? std::string("\x01") : std::string();
}

Result<Challenge> parse_challenge_json(std::string_view json_text) {
  auto doc = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return fail("protocol.bad_response",
                "the server's SASL challenge is not a JSON object: " + std::string(json_text.substr(0, 200)));
  Challenge c;
  c.raw = std::string(json_text);
  auto member = [&](const char* key, std::string& out) -> bool {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return true;
    if (it->is_string()) {
      out = it->get<std::string>();
      return true;
    }
    if (it->is_number_integer()) {
      out = std::to_string(it->get<long long>());
      return true;
    }
    return false;
  };
  if (!member("status", c.status) || !member("schemes", c.schemes) || !member("scope", c.scope) ||
      !member("openid-configuration", c.openid_configuration))
    return fail("protocol.bad_response",
                "the server's SASL challenge has a member of the wrong type: " + std::string(json_text.substr(0, 200)));
  return c;
}

Result<Challenge> decode_challenge(std::string_view base64_text) {
  while (!base64_text.empty() && base64_text.back() == ' ') base64_text.remove_suffix(1);
  auto bytes = util::base64_decode(base64_text);
  if (!bytes)
    return fail("protocol.bad_response",
                "the server's SASL challenge is not base64: " + std::string(base64_text.substr(0, 200)));
  return parse_challenge_json(*bytes);
}

}  // namespace md::mail::sasl

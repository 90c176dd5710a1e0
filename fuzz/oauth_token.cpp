// A token endpoint's answer (core/oauth/token_endpoint.h parse_token_response): the JSON of a
// code exchange or refresh under a chosen HTTP status, then the signed-in identity from the
// answer's id_token (core/oauth/identity.h) and the granted-scope check, as the sign-in does.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "oauth/identity.h"
#include "oauth/token_endpoint.h"

using namespace md;
using namespace md::oauth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the status (mostly 200, where the strict reading happens).
  const long statuses[] = {200, 200, 200, 200, 200, 400, 401, 429, 500, 503, 302, 0};
  const long status = statuses[data[0] % std::size(statuses)];
  std::string_view body = fuzz::as_text(data + 1, size - 1);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));

  // The id_token alone, as the body: the JWT decoder meets the bytes directly too.
  (void)decode_jwt_payload(body);

  auto tokens = parse_token_response(status, body, {"openid", "email", "https://mail.google.com/"}, now);
  if (!tokens) {
    fuzz::check_one_line(tokens.failure());
    return 0;
  }
  const TokenSet& t = tokens.value();
  if (t.access_token.empty() || t.expires_at < now) std::abort();  // what the strict reading promises
  ClientConfig cfg;
  cfg.issuer = "https://accounts.google.com";
  cfg.client_id = "123-fuzz.apps.googleusercontent.com";
  // No userinfo endpoint: without an id_token the identity step fails instead of going online.
  auto who = signed_in_identity(cfg, t);
  if (!who) fuzz::check_one_line(who.failure());
  (void)check_scopes(t.granted_scopes, "https://mail.google.com/");
  return 0;
}

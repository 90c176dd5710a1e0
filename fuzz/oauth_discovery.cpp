// An OpenID Connect discovery document (core/oauth/discovery.h read_discovery_document) for one
// of a few issuers, under a chosen HTTP status and content type.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "oauth/discovery.h"

using namespace md;
using namespace md::oauth;

namespace {

bool acceptable(const std::string& url) {
  return url.empty() || url.starts_with("https://") || url.starts_with("http://");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const char* issuers[] = {"https://accounts.google.com", "https://login.microsoftonline.com/common/v2.0",
                           "http://127.0.0.1:17100", "https://id.example.org/realms/mail/"};
  const std::string issuer = issuers[data[0] & 3];
  net::HttpResponse response;
  response.status = (data[0] & 0x30) == 0x30 ? 404 : 200;
  response.content_type = (data[0] & 0x40) ? "text/html; charset=utf-8" : "application/json";
  response.body = std::string(fuzz::as_text(data + 1, size - 1));

  ClientConfig base;
  base.client_id = "fuzz-client";
  if (data[0] & 0x80) base.token_url = "https://explicit.example/token";  // set by hand: must win
  auto cfg = read_discovery_document(issuer, response, base);
  if (!cfg) {
    fuzz::check_one_line(cfg.failure());
    return 0;
  }
  const ClientConfig& c = cfg.value();
  if (c.issuer != issuer || c.authorize_url.empty() || c.token_url.empty()) std::abort();
  if ((data[0] & 0x80) && c.token_url != base.token_url) std::abort();
  for (const std::string* url : {&c.authorize_url, &c.token_url, &c.device_url, &c.revoke_url, &c.userinfo_url})
    if (!acceptable(*url)) std::abort();
  return 0;
}

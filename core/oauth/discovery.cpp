#include "oauth/discovery.h"

#include "oauth/json_body.h"

namespace md::oauth {
namespace {

// Endpoints are where codes and tokens travel: TLS unless it never leaves this machine (the test
// lab's oidc-provider runs on plain http on 127.0.0.1).
bool acceptable_endpoint(const std::string& url) {
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  std::string host = net::url_host(url);
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

}  // namespace

std::string discovery_url(const std::string& issuer) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/.well-known/openid-configuration";
}

Result<ClientConfig> discover(const std::string& issuer, ClientConfig base, net::Transcript* transcript) {
  if (!acceptable_endpoint(issuer))
    return fail("oauth.discovery_invalid", "The issuer " + net::printable_excerpt(issuer) +
                                               " is not an https URL (http is accepted on 127.0.0.1 only).");
  const std::string url = discovery_url(issuer);
  auto resp = net::http_get(url, {{"Accept", "application/json"}}, base.http, transcript);
  if (!resp) {
    const Failure& f = resp.failure();
    if (f.code == "http.response_too_large" || f.code == "protocol.bad_response" || f.code == "accounts.invalid")
      return fail("oauth.discovery_invalid", f.code + ": " + f.detail);
    return fail("oauth.endpoint_unreachable", f.code + ": " + f.detail);
  }
  return read_discovery_document(issuer, resp.value(), std::move(base));
}

Result<ClientConfig> read_discovery_document(const std::string& issuer, const net::HttpResponse& r, ClientConfig base) {
  const std::string url = discovery_url(issuer);
  if (r.status != 200)
    return fail("oauth.discovery_invalid", "No discovery document at " + url + ": HTTP " + std::to_string(r.status) +
                                               " (body starts: \"" + one_line(r.body, 120) + "\").");
  auto doc = parse_json_object(r.body);
  if (!doc) {
    bool html = r.content_type.find("html") != std::string::npos || r.body.find('<') < 16;
    return fail("oauth.discovery_invalid", std::string("The discovery document at ") + url + " is " +
                                               (html ? "an HTML page (a proxy or captive portal?)" : "not JSON") +
                                               ": \"" + one_line(r.body, 120) + "\".");
  }

  std::string doc_issuer;
  if (string_field(*doc, "issuer", doc_issuer) != Field::ok)
    return fail("oauth.discovery_invalid", "The discovery document at " + url + " has no `issuer` string.");
  if (doc_issuer != issuer)
    return fail("oauth.discovery_invalid", "The discovery document at " + url + " is for the issuer \"" +
                                               one_line(doc_issuer, 200) + "\", not \"" + issuer + "\".");

  struct Slot {
    const char* key;
    std::string ClientConfig::*field;
    bool required;
  };
  const Slot slots[] = {
      {"authorization_endpoint", &ClientConfig::authorize_url, true},
      {"token_endpoint", &ClientConfig::token_url, true},
      {"device_authorization_endpoint", &ClientConfig::device_url, false},
      {"revocation_endpoint", &ClientConfig::revoke_url, false},
      {"userinfo_endpoint", &ClientConfig::userinfo_url, false},
  };
  for (const Slot& slot : slots) {
    std::string value;
    switch (string_field(*doc, slot.key, value)) {
      case Field::absent:
        if (slot.required)
          return fail("oauth.discovery_invalid", "The discovery document at " + url + " has no `" + slot.key + "`.");
        continue;
      case Field::wrong_type:
        return fail("oauth.discovery_invalid",
                    "The discovery document at " + url + " has a `" + slot.key + "` that is not a string.");
      case Field::ok: break;
    }
    if (!acceptable_endpoint(value))
      return fail("oauth.discovery_invalid", "The discovery document at " + url + " names `" + slot.key + "` " +
                                                 one_line(value, 200) + ", which is not an https URL.");
    std::string& target = base.*slot.field;
    if (target.empty()) target = value;
  }
  base.issuer = issuer;
  return base;
}

}  // namespace md::oauth

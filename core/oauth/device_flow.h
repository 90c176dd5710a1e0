// The device authorization grant (RFC 8628): a code to type on another device, for machines where
// no browser can be opened. Polling honours the server's interval and slow_down, never outlives
// the code, and can be cancelled.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "net/http_client.h"
#include "oauth/client_config.h"
#include "result.h"

namespace md::oauth {

struct DeviceAuthorization {
  std::string device_code;  // a secret: never shown or logged
  std::string user_code;
  std::string verification_uri;  // Google still calls it verification_url; both are read
  std::optional<std::string> verification_uri_complete;
  std::chrono::seconds expires_in{0};
  std::chrono::seconds interval{5};    // RFC 8628 3.2: 5 s when the server names none
  std::optional<std::string> message;  // Microsoft: a ready-made sentence for the user
};

// POSTs client_id and the scopes to cfg.device_url. Missing or mistyped fields →
// "oauth.bad_response"; error answers → map_token_error.
Result<DeviceAuthorization> start_device(const ClientConfig& cfg, net::Transcript* transcript = nullptr);

// Sleeps `interval`, polls, repeats: authorization_pending → again; slow_down → interval + 5 s;
// access_denied / authorization_declined → "oauth.access_denied"; expired_token or the code's
// lifetime used up → "oauth.device_expired"; bad_verification_code → "oauth.invalid_grant";
// cancelled() → "oauth.cancelled". A poll that times out doubles the interval (RFC 8628 3.5).
// `sleeper` (tests) replaces the real, cancellable wait; time then counts as what it was asked to
// sleep, so a fake sleeper reaches the expiry without real waiting.
Result<TokenSet> poll_device(const ClientConfig& cfg, const DeviceAuthorization& auth,
                             const std::function<bool()>& cancelled,
                             const std::function<void(std::chrono::seconds)>& sleeper = {},
                             net::Transcript* transcript = nullptr);

}  // namespace md::oauth

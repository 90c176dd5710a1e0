#include "oauth/device_flow.h"

#include <algorithm>
#include <thread>

#include "oauth/errors.h"
#include "oauth/json_body.h"
#include "oauth/token_endpoint.h"
#include "util/text.h"

namespace md::oauth {
namespace {

constexpr const char* kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
constexpr std::chrono::seconds kSlowDownStep{5};   // RFC 8628 3.5
constexpr std::chrono::seconds kMaxInterval{120};  // beyond this a server is just broken
constexpr std::chrono::seconds kMaxLifetime{24 * 3600};

Failure bad(const std::string& why, std::string_view body) {
  return fail("oauth.bad_response", "The device authorization endpoint's answer is not usable: " + why +
                                        " (body starts: \"" + one_line(body, 120) + "\").");
}

// Reads a non-negative whole number of seconds; Field::wrong_type for anything else.
// The real wait: in short slices, so cancelling answers within a fraction of a second.
void cancellable_sleep(std::chrono::seconds d, const std::function<bool()>& cancelled) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (cancelled && cancelled()) return;
    auto left = until - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(200)));
  }
}

}  // namespace

Result<DeviceAuthorization> start_device(const ClientConfig& cfg, net::Transcript* transcript) {
  if (cfg.client_id.empty()) return fail("oauth.no_client", "The account has no OAuth client id.");
  if (cfg.device_url.empty())
    return fail("accounts.invalid",
                "The account has no device authorization endpoint (--device-url); "
                "this provider may not offer the device code sign-in.");
  auto resp = post_to_endpoint(cfg, cfg.device_url, {{"scope", util::join(cfg.scopes)}}, transcript);
  if (!resp) return resp.failure();
  const net::HttpResponse& r = resp.value();
  auto j = parse_json_object(r.body);
  if (r.status != 200 || !j || j->contains("error")) return map_token_error(r.status, r.body);

  DeviceAuthorization a;
  if (string_field(*j, "device_code", a.device_code) != Field::ok || a.device_code.empty())
    return bad("no device_code string", r.body);
  if (string_field(*j, "user_code", a.user_code) != Field::ok || a.user_code.empty())
    return bad("no user_code string", r.body);
  if (string_field(*j, "verification_uri", a.verification_uri) != Field::ok &&
      string_field(*j, "verification_url", a.verification_uri) != Field::ok)
    return bad("no verification_uri string", r.body);
  if (a.verification_uri.empty()) return bad("verification_uri is empty", r.body);
  std::string s;
  switch (string_field(*j, "verification_uri_complete", s)) {
    case Field::ok: a.verification_uri_complete = s; break;
    case Field::wrong_type: return bad("verification_uri_complete is not a string", r.body);
    case Field::absent: break;
  }
  s.clear();
  switch (string_field(*j, "message", s)) {
    case Field::ok: a.message = s; break;
    case Field::wrong_type: return bad("message is not a string", r.body);
    case Field::absent: break;
  }
  if (seconds_field(*j, "expires_in", kMaxLifetime, a.expires_in) != Field::ok || a.expires_in.count() == 0)
    return bad("expires_in is missing or not a positive number", r.body);
  switch (seconds_field(*j, "interval", kMaxLifetime, a.interval)) {
    case Field::wrong_type: return bad("interval is not a number", r.body);
    case Field::absent: a.interval = std::chrono::seconds(5); break;
    case Field::ok: break;
  }
  a.interval = std::clamp(a.interval, std::chrono::seconds(1), kMaxInterval);
  return a;
}

Result<TokenSet> poll_device(const ClientConfig& cfg, const DeviceAuthorization& auth,
                             const std::function<bool()>& cancelled,
                             const std::function<void(std::chrono::seconds)>& sleeper, net::Transcript* transcript) {
  if (cfg.token_url.empty()) return fail("accounts.invalid", "The account has no token endpoint URL.");
  const auto started = std::chrono::steady_clock::now();
  std::chrono::seconds slept{0};
  std::chrono::seconds interval = std::clamp(auth.interval, std::chrono::seconds(1), kMaxInterval);
  auto is_cancelled = [&] { return cancelled && cancelled(); };
  auto cancelled_failure = [] { return fail("oauth.cancelled", "The device code sign-in was cancelled."); };
  // Elapsed time is the larger of the wall clock and what was slept: a fake sleeper advances time.
  auto elapsed = [&] {
    auto real = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    return std::max(real, slept);
  };

  for (;;) {
    if (is_cancelled()) return cancelled_failure();
    if (elapsed() + interval > auth.expires_in)
      return fail("oauth.device_expired", "The code " + auth.user_code + " was not confirmed within " +
                                              std::to_string(auth.expires_in.count()) + " s.");
    if (sleeper) {
      sleeper(interval);
    } else {
      cancellable_sleep(interval, cancelled);
    }
    slept += interval;
    if (is_cancelled()) return cancelled_failure();

    auto resp = post_to_endpoint(cfg, cfg.token_url, {{"grant_type", kDeviceGrant}, {"device_code", auth.device_code}},
                                 transcript);
    if (!resp) {
      // RFC 8628 3.5: on a connection timeout, back off exponentially and keep polling.
      if (resp.failure().detail.starts_with("tcp.timeout")) {
        interval = std::min(interval * 2, kMaxInterval);
        continue;
      }
      return resp.failure();
    }
    const net::HttpResponse& r = resp.value();
    if (r.status != 200) {
      if (auto body = parse_error_body(r.body)) {
        if (body->error == "authorization_pending") continue;
        if (body->error == "slow_down") {
          interval = std::min(interval + kSlowDownStep, kMaxInterval);
          continue;
        }
      }
    }
    return parse_token_response(r.status, r.body, cfg.scopes, std::chrono::system_clock::now());
  }
}

}  // namespace md::oauth

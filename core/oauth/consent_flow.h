// The browser sign-in, start to finish: PKCE and state, the authorization URL, the loopback
// listener, the browser, the wait, the code exchange. The identity and scope checks of the
// result are the caller's next step (identity.h).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "datadir.h"
#include "net/http_client.h"
#include "oauth/client_config.h"
#include "result.h"

namespace md::oauth {

struct ConsentOptions {
  std::optional<std::string> browser;  // --browser
  EnvLookup env = process_env();       // MAILDOCTOR_BROWSER, BROWSER
  // Always called with the authorization URL before the browser starts: the CLI prints it, the
  // window shows it, so the user can paste it when no browser opens.
  std::function<void(const std::string& url)> on_url;
  // Told when the browser could not be started; the flow keeps waiting for a pasted URL.
  std::function<void(const Failure&)> on_browser_failed;
  std::chrono::seconds timeout{300};
  std::function<bool()> cancelled;
  std::string login_hint;  // the account's address: pre-selects it at the provider
  net::Transcript* transcript = nullptr;
  // Tests: replaces starting a browser (receives the URL, may act as the browser).
  std::function<Result<void>(const std::string& url)> launcher;
};

// response_type=code, client_id, redirect_uri, scope (space-joined), state, code_challenge,
// code_challenge_method=S256, login_hint (when set), then the client's extra parameters.
std::string build_authorization_url(const ClientConfig& cfg, const std::string& redirect_uri, const std::string& state,
                                    const std::string& code_challenge, const std::string& login_hint);

// "oauth.no_client" without a client id, "accounts.invalid" without authorize/token URLs; then
// every failure of the listener (consent_timeout, state_mismatch, access_denied, ...) and of the
// code exchange.
Result<TokenSet> run_consent_flow(const ClientConfig& cfg, const ConsentOptions& options);

}  // namespace md::oauth

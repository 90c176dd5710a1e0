#include "oauth/consent_flow.h"

#include "oauth/browser.h"
#include "oauth/loopback_listener.h"
#include "oauth/pkce.h"
#include "oauth/token_endpoint.h"
#include "util/encoding.h"
#include "util/text.h"

namespace md::oauth {

std::string build_authorization_url(const ClientConfig& cfg, const std::string& redirect_uri, const std::string& state,
                                    const std::string& code_challenge, const std::string& login_hint) {
  const std::string scope = util::join(cfg.scopes);
  net::FormFields q{
      {"response_type", "code"}, {"client_id", cfg.client_id},       {"redirect_uri", redirect_uri},   {"scope", scope},
      {"state", state},          {"code_challenge", code_challenge}, {"code_challenge_method", "S256"}};
  if (!login_hint.empty()) q.emplace_back("login_hint", login_hint);
  for (const auto& p : cfg.extra_authorize_params) q.push_back(p);
  // Keep any query the configured URL already has (a tenant's policy parameter, say).
  const char sep = cfg.authorize_url.find('?') == std::string::npos ? '?' : '&';
  return cfg.authorize_url + sep + net::form_encode(q);
}

Result<TokenSet> run_consent_flow(const ClientConfig& cfg, const ConsentOptions& options) {
  if (cfg.client_id.empty()) return fail("oauth.no_client", "The account has no OAuth client id.");
  if (cfg.authorize_url.empty() || cfg.token_url.empty())
    return fail("accounts.invalid", "The account needs both an authorization URL and a token URL (or an issuer).");

  auto pkce = make_pkce();
  if (!pkce) return pkce.failure();
  auto state = make_state();
  if (!state) return state.failure();
  auto listener = LoopbackListener::start(state.value(), cfg.issuer);
  if (!listener) return listener.failure();
  const std::string redirect_uri = listener.value()->redirect_uri();
  const std::string url =
      build_authorization_url(cfg, redirect_uri, state.value(), pkce.value().challenge, options.login_hint);

  if (options.on_url) options.on_url(url);
  Result<void> launched;
  if (options.launcher) {
    launched = options.launcher(url);
  } else {
    auto cmd = choose_browser(options.browser, options.env);
    launched =
        cmd ? launch_browser(cmd.value(), url) : Result<void>(fail("oauth.browser_failed", cmd.failure().detail));
  }
  if (!launched && options.on_browser_failed) options.on_browser_failed(launched.failure());

  auto code = listener.value()->wait(options.timeout, options.cancelled);
  if (!code) return code.failure();
  return exchange_code(cfg, code.value().code, pkce.value().verifier, redirect_uri, options.transcript);
}

}  // namespace md::oauth

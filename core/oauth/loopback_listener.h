// The RFC 8252 loopback redirect receiver: a tiny HTTP server on 127.0.0.1, on a port the system
// picks, that waits for the one browser redirect carrying the sign-in's authorization code.
//
// What it accepts: GET "/" whose `state` equals the expected one (compared in constant time).
// Decision on a wrong `state`: the request is answered with a failure page and IGNORED — it does
// not end the wait. Such a redirect is almost always a stale tab from an earlier attempt, and
// ending on it would let any local web page abort a sign-in. It is recorded, so that a wait that
// then times out reports "oauth.state_mismatch" rather than "oauth.consent_timeout".
// A redirect with the right state ends the wait, whatever it carries: a code (success), an
// `error` (map_authorize_error), an `iss` other than the expected issuer (RFC 9207:
// "oauth.issuer_mismatch"), or neither code nor error ("oauth.bad_redirect").
// Everything else: other paths → 404, other methods → 405, requests over 64 KiB → 413 and the
// connection closed after at most that much was buffered, slow clients cut off. Pages are
// self-contained (no outside resources), escape everything they echo, and send no Referer.
// After the answer, a timeout, or a cancel the server stops: nothing listens any more.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "result.h"

namespace md::oauth {

struct AuthorizationCode {
  std::string code;
  std::optional<std::string> iss;  // as sent (RFC 9207), already checked
};

class LoopbackListener {
 public:
  // Binds 127.0.0.1:0 and starts serving at once. `expected_issuer` empty: `iss` is not checked.
  // Fails "oauth.listener_failed" when no loopback port can be bound.
  static Result<std::unique_ptr<LoopbackListener>> start(std::string expected_state, std::string expected_issuer = {});
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const;
  // http://127.0.0.1:<port>/ — the exact string to put in the authorization request.
  std::string redirect_uri() const;

  // Blocks until the redirect with the right state arrives, `timeout` passes ("oauth.consent_timeout",
  // or "oauth.state_mismatch" if only wrong-state redirects came), or cancelled() returns true
  // ("oauth.cancelled"; polled a few times a second). Then stops the server. Calling it again
  // returns the same outcome.
  Result<AuthorizationCode> wait(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled = {});

  // Stops serving (idempotent); in-flight requests finish within a few seconds at most.
  void stop();

 private:
  struct Impl;
  explicit LoopbackListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// HTML-escapes & < > " ' — for the pages above; exposed for tests.
std::string html_escape(std::string_view text);

}  // namespace md::oauth

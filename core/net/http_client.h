// The HTTP client every OAuth call goes through: a thin libcurl wrapper that bounds time and size,
// never follows redirects, speaks only http/https, maps transport failures to the stable failure
// codes of the check ladder (dns.*, tcp.*, tls.*, proxy.*), and narrates each exchange to a
// Transcript with credentials masked before they leave this file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protolog/protolog.h"
#include "result.h"

namespace md::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using FormFields = std::vector<std::pair<std::string, std::string>>;

struct HttpOptions {
  std::optional<std::string> ca_file;  // extra trust anchors (PEM) for a private server
  long timeout_s = 30;                 // bounds the whole exchange, connect included
  // nullopt: libcurl's own proxy handling (http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY);
  // "" : no proxy at all, whatever the environment says; else the proxy URL.
  std::optional<std::string> proxy;
  bool verify_tls = true;  // off only by the account's explicit choice
  // Tokens and discovery documents are a few KiB; anything much bigger is not what we asked for.
  size_t max_body_bytes = size_t{1} << 20;
};

struct HttpResponse {
  long status = 0;
  std::string content_type;  // as sent, parameters included ("application/json; charset=utf-8")
  std::string body;
  HeaderList headers;                      // of the final response, in order, names as sent
  std::optional<std::string> date_header;  // for the clock check

  // First header of that name, case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
};

// Where a conversation is narrated: one call per line. Implementations must be cheap and must not
// throw; they receive text that already has Authorization values and secret form fields masked.
// `protocol` ("http", "imap", "pop3", "smtp") says which conversation the line belongs to: one
// account's log interleaves the OAuth endpoints' HTTP with the mail servers' lines.
struct Transcript {
  virtual ~Transcript() = default;
  virtual void line(std::string_view protocol, protolog::Direction direction, std::string_view text) = 0;
};

// Writes the narration into the live protocol log of one account, under the protocol each line
// names; the log's own redaction hook runs on every line as well.
class ProtoLogTranscript final : public Transcript {
 public:
  ProtoLogTranscript(protolog::ProtoLog& log, std::string account) : log_(log), account_(std::move(account)) {}
  void line(std::string_view protocol, protolog::Direction direction, std::string_view text) override;

 private:
  protolog::ProtoLog& log_;
  std::string account_;
};

// GET url. Any status is a successful Result: the caller decides what a 400 means. Failures are
// transport failures only (dns.*, tcp.*, tls.*, proxy.*, protocol.*, accounts.invalid for a URL or
// CA file that cannot be used, http.response_too_large).
Result<HttpResponse> http_get(const std::string& url, const HeaderList& headers, const HttpOptions& opts,
                              Transcript* transcript = nullptr);

// POST an application/x-www-form-urlencoded body built from `form`.
Result<HttpResponse> http_post_form(const std::string& url, const FormFields& form, const HeaderList& headers,
                                    const HttpOptions& opts, Transcript* transcript = nullptr);

// name=value&name=value with both sides percent-encoded.
std::string form_encode(const FormFields& form);

// The host part of a URL ("" when it has none), for failure details.
std::string url_host(std::string_view url);

// Up to `max` bytes of untrusted text made safe for a failure detail or a log line: control and
// non-ASCII bytes become '.', a cut is marked with "...".
std::string printable_excerpt(std::string_view text, size_t max = 200);

// A response body as it may be shown or logged: a JSON document re-serialised with the values of
// credential fields (access_token, refresh_token, id_token, client_secret, ...) replaced by
// <redacted> at any depth; anything else as it came (callers cut it to length). A token endpoint
// that answers in the wrong shape may still have put a real token in its answer.
std::string masked_body(std::string_view body);

}  // namespace md::net

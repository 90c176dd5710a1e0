#include "net/http_client.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "net/transport_failure.h"
#include "platform/socket.h"
#include "platform/trust_store.h"
#include "util/encoding.h"
#include "version.h"

namespace md::net {
namespace {

using protolog::Direction;

// curl_global_init is not thread-safe on every platform's libcurl; do it once, first.
void ensure_curl_global() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// libcurl 7.88 has no limit on the sum of response headers; a server that streams headers forever
// must not grow our memory forever.
constexpr size_t kMaxHeaderBytes = 256 * 1024;
// A transcript is for reading, not for archiving payloads.
constexpr size_t kMaxLoggedBody = 4096;
// JSON bodies are re-serialised with secrets masked; deeper documents are not logged at all.
constexpr int kMaxMaskDepth = 32;

// A CA file adds trust anchors to the system's, as it does for mail (mail/tls_session.cpp):
// CURLOPT_CAINFO would replace the system bundle on Linux, and a practice that adds its TLS
// inspection root would then distrust every endpoint the inspection leaves alone. libcurl keeps its
// own bundle in this context too (tried with 7.88.1: a server trusted only by CURLOPT_CAINFO and one
// trusted only by a file added here are both accepted).
CURLcode add_ca_file(CURL*, void* ssl_ctx, void* ca_file) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  const auto* path = static_cast<const std::string*>(ca_file);
  if (SSL_CTX_load_verify_locations(ctx, path->c_str(), nullptr) == 1) return CURLE_OK;
  ERR_clear_error();
  return CURLE_SSL_CACERT_BADFILE;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Fields of OAuth forms and JSON bodies whose values are credentials.
bool is_secret_field(std::string_view name) {
  static constexpr std::string_view kSecret[] = {"access_token",  "refresh_token", "id_token",        "client_secret",
                                                 "code_verifier", "code",          "password",        "device_code",
                                                 "assertion",     "token",         "client_assertion"};
  return std::any_of(std::begin(kSecret), std::end(kSecret), [&](std::string_view s) { return iequals(s, name); });
}

bool is_secret_header(std::string_view name) {
  return iequals(name, "Authorization") || iequals(name, "Proxy-Authorization") || iequals(name, "Cookie") ||
         iequals(name, "Set-Cookie");
}

// "Authorization: Bearer <redacted>": the scheme helps a reader, the credentials never appear.
std::string masked_header(std::string_view name, std::string_view value) {
  if (!is_secret_header(name)) return std::string(name) + ": " + printable_excerpt(value, 500);
  std::string out = std::string(name) + ": ";
  size_t space = value.find(' ');
  if ((iequals(name, "Authorization") || iequals(name, "Proxy-Authorization")) && space != std::string_view::npos)
    out += printable_excerpt(value.substr(0, space), 40) + " ";
  return out + std::string(protolog::kRedacted);
}

std::string masked_form(const FormFields& form) {
  std::string out;
  for (const auto& [name, value] : form) {
    if (!out.empty()) out += '&';
    out += util::url_encode(name) + "=" +
           (is_secret_field(name) ? std::string(protolog::kRedacted) : util::url_encode(value));
  }
  return out;
}

bool mask_json(nlohmann::json& j, int depth) {
  if (depth > kMaxMaskDepth) return false;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (is_secret_field(it.key()) && !it.value().is_null()) {
        it.value() = protolog::kRedacted;
      } else if (!mask_json(it.value(), depth + 1)) {
        return false;
      }
    }
  } else if (j.is_array()) {
    for (auto& e : j)
      if (!mask_json(e, depth + 1)) return false;
  }
  return true;
}

// A response body as it may appear in the transcript: JSON re-serialised with token fields masked,
// anything else cut short (the ProtoLog's redactor still runs on it).
std::string loggable_body(std::string_view body) {
  if (body.empty()) return {};
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && (j.is_object() || j.is_array())) {
    if (!mask_json(j, 0)) return "<body not logged: JSON nested too deeply>";
    return printable_excerpt(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kMaxLoggedBody);
  }
  // Keep line breaks so an HTML error page reads as lines; mask everything else unprintable.
  std::string out;
  for (char c : body.substr(0, kMaxLoggedBody)) {
    auto u = static_cast<unsigned char>(c);
    out += (c == '\n' || (u >= 0x20 && u < 0x7f)) ? c : '.';
  }
  if (body.size() > kMaxLoggedBody) out += "...";
  return out;
}

// http://user:secret@proxy:3128 -> http://proxy:3128: a URL may carry credentials.
std::string without_userinfo(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t auth_start = scheme_end + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  size_t at = url.rfind('@', auth_end == std::string_view::npos ? url.size() : auth_end);
  if (at == std::string_view::npos || at < auth_start) return std::string(url);
  return std::string(url.substr(0, auth_start)) + std::string(url.substr(at + 1));
}

struct Sink {
  std::string body;
  size_t max_body = 0;
  size_t header_bytes = 0;
  bool too_large = false;
  HeaderList headers;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * count;
  if (sink->body.size() + len > sink->max_body) {
    sink->too_large = true;
    return 0;  // anything else than len aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * count;
  sink->header_bytes += len;
  if (sink->header_bytes > kMaxHeaderBytes) {
    sink->too_large = true;
    return 0;
  }
  std::string_view line = trim(std::string_view(data, len));
  // A status line starts a new response (after "100 Continue" or a proxy's CONNECT answer): only
  // the final response's headers are kept.
  if (line.starts_with("HTTP/")) {
    sink->headers.clear();
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;
  sink->headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return len;
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void say(Transcript* t, Direction d, std::string_view text) {
  if (t != nullptr) t->line("http", d, text);
}

Result<HttpResponse> perform(const char* method, const std::string& url, const std::string* body,
                             const std::string& logged_body, const HeaderList& headers, const HttpOptions& opts,
                             Transcript* transcript) {
  ensure_curl_global();
  const std::string shown_url = without_userinfo(url);
  say(transcript, Direction::client, std::string(method) + " " + printable_excerpt(shown_url, 2000));
  for (const auto& [name, value] : headers) say(transcript, Direction::client, masked_header(name, value));
  if (body != nullptr && !logged_body.empty()) say(transcript, Direction::client, logged_body);
  if (!opts.verify_tls) say(transcript, Direction::info, "TLS certificate verification is OFF for this account");

  std::unique_ptr<CURL, CurlDeleter> h(curl_easy_init());
  if (!h) return fail("protocol.connection_lost", "libcurl could not start a transfer to " + url_host(url));
  CURL* c = h.get();

  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  auto add_header = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(header_list.get(), line.c_str());
    if (next != nullptr) {
      (void)header_list.release();
      header_list.reset(next);
    }
  };
  for (const auto& [name, value] : headers) add_header(name + ": " + value);
  if (body != nullptr) add_header("Expect:");  // no 100-continue round trip for a small form

  Sink sink;
  sink.max_body = opts.max_body_bytes;
  char errbuf[CURL_ERROR_SIZE] = {0};
  const std::string user_agent = "MailDoctor/" MAILDOCTOR_VERSION;

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect from a token endpoint is an answer to report
  curl_easy_setopt(c, CURLOPT_TIMEOUT, opts.timeout_s);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opts.timeout_s);
  curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, opts.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, opts.verify_tls ? 2L : 0L);
  // Windows: curl reads the system's ROOT store itself.
  if (platform::curl_needs_native_ca())
    curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_NATIVE_CA));
  if (opts.ca_file) {
    // Checked here too: the file is only read for an https address, and a mistyped --ca-file must
    // not go unnoticed until then.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(
            std::filesystem::path(std::u8string(opts.ca_file->begin(), opts.ca_file->end())), ec)) {
      TransportFacts facts;
      facts.curl_code = CURLE_SSL_CACERT_BADFILE;
      facts.ca_file = opts.ca_file;
      facts.url = shown_url;
      facts.host = url_host(url);
      Failure f = map_transport_failure(facts);
      say(transcript, Direction::info, f.code + ": " + f.detail);
      return f;
    }
    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_ca_file);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &*opts.ca_file);
    curl_easy_setopt(c, CURLOPT_CA_CACHE_TIMEOUT, 0L);  // this store holds the file: never share it
  }
  if (opts.proxy) curl_easy_setopt(c, CURLOPT_PROXY, opts.proxy->c_str());  // "" disables the environment's
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(opts.max_body_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  if (header_list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  if (body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      Failure f =
          fail("http.response_too_large", "The answer from " + url_host(url) + " is larger than " +
                                              std::to_string(opts.max_body_bytes) + " bytes; not read further.");
      say(transcript, Direction::info, f.code + ": " + f.detail);
      return f;
    }
    TransportFacts facts;
    facts.curl_code = rc;
    facts.curl_error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    long v = 0;
    // Winsock's code on Windows (WSAECONNREFUSED, not ECONNREFUSED): mapped, or a refused
    // connection would read as "could not connect".
    if (curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &v) == CURLE_OK) facts.os_errno = platform::posix_socket_error(v);
    v = 0;
    if (curl_easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &v) == CURLE_OK) facts.ssl_verify_result = v;
    v = 0;
    if (curl_easy_getinfo(c, CURLINFO_HTTP_CONNECTCODE, &v) == CURLE_OK) facts.proxy_connect_code = v;
    if (opts.proxy) {
      if (!opts.proxy->empty()) facts.proxy = without_userinfo(*opts.proxy);
    } else if (auto p = env_proxy_for(url, process_env())) {
      facts.proxy = without_userinfo(*p);
    }
    facts.ca_file = opts.ca_file;
    facts.url = shown_url;
    facts.host = url_host(url);
    facts.timeout_s = opts.timeout_s;
    if (rc == CURLE_COULDNT_RESOLVE_HOST && !facts.proxy)
      facts.dns = recheck_dns(facts.host, std::chrono::milliseconds(std::clamp(opts.timeout_s, 1L, 2L) * 1000));
    Failure f = map_transport_failure(facts);
    say(transcript, Direction::info, f.code + ": " + f.detail);
    return f;
  }

  HttpResponse resp;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  char* ctype = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != nullptr) resp.content_type = ctype;
  resp.body = std::move(sink.body);
  resp.headers = std::move(sink.headers);
  resp.date_header = resp.header("Date");

  std::string status_line = "HTTP " + std::to_string(resp.status);
  if (!resp.content_type.empty()) status_line += " " + printable_excerpt(resp.content_type, 100);
  status_line += ", " + std::to_string(resp.body.size()) + " bytes";
  say(transcript, Direction::server, status_line);
  for (const auto& [name, value] : resp.headers) {
    static constexpr std::string_view kShown[] = {"Date", "Location", "Retry-After", "WWW-Authenticate",
                                                  "x-ms-request-id"};
    // An init-capture: clang before 16 cannot capture a structured binding directly.
    if (std::any_of(std::begin(kShown), std::end(kShown), [&n = name](std::string_view s) { return iequals(s, n); }))
      say(transcript, Direction::server, masked_header(name, value));
  }
  if (!resp.body.empty()) say(transcript, Direction::server, loggable_body(resp.body));
  return resp;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

void ProtoLogTranscript::line(std::string_view protocol, protolog::Direction direction, std::string_view text) {
  log_.append(account_, protocol, direction, text);
}

Result<HttpResponse> http_get(const std::string& url, const HeaderList& headers, const HttpOptions& opts,
                              Transcript* transcript) {
  return perform("GET", url, nullptr, {}, headers, opts, transcript);
}

Result<HttpResponse> http_post_form(const std::string& url, const FormFields& form, const HeaderList& headers,
                                    const HttpOptions& opts, Transcript* transcript) {
  const std::string body = form_encode(form);
  return perform("POST", url, &body, masked_form(form), headers, opts, transcript);
}

std::string form_encode(const FormFields& form) {
  std::string out;
  for (const auto& [name, value] : form) {
    if (!out.empty()) out += '&';
    out += util::url_encode(name) + "=" + util::url_encode(value);
  }
  return out;
}

std::string url_host(std::string_view url) {
  ensure_curl_global();
  CURLU* u = curl_url();
  if (u == nullptr) return {};
  std::string host;
  // Scheme-less input is refused rather than guessed: every URL we fetch is absolute.
  if (curl_url_set(u, CURLUPART_URL, std::string(url).c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* part = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK && part != nullptr) host = part;
    curl_free(part);
  }
  curl_url_cleanup(u);
  return host;
}

std::string printable_excerpt(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (char c : text.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '.';
  }
  if (text.size() > max) out += "...";
  return out;
}

std::string masked_body(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return std::string(body);
  if (!mask_json(j, 0)) return "(a JSON document nested too deeply to show)";
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace md::net

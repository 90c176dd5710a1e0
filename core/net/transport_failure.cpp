#include "net/transport_failure.h"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "net/http_client.h"
#include "platform/socket.h"

namespace md::net {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "to imap.example.test (libcurl: Failed to connect ...)" — the evidence a person can quote.
std::string evidence(const TransportFacts& f) {
  std::string out = f.host.empty() ? f.url : f.host;
  if (f.proxy) out += " via proxy " + *f.proxy;
  out += " (libcurl: " + printable_excerpt(f.curl_error, 300) + ")";
  return out;
}

Failure tls_verify_failure(const TransportFacts& f) {
  std::string why = X509_verify_cert_error_string(f.ssl_verify_result);
  switch (f.ssl_verify_result) {
    case X509_V_OK:
    case X509_V_ERR_UNSPECIFIED:
      // OpenSSL accepted the chain, so libcurl's own host name check refused it. libcurl 7.88 runs
      // that check before it stores OpenSSL's verdict, so the result is still its initial
      // "unspecified" (1) then; chain problems always carry their specific X509_V_ERR_*.
      return fail("tls.hostname_mismatch", "The certificate of " + evidence(f) + " does not name " + f.host + ".");
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return fail("tls.hostname_mismatch", "The certificate of " + evidence(f) + " does not name " + f.host + ".");
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return fail("tls.cert_expired", "The certificate of " + evidence(f) + " has expired: " + why + ".");
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return fail("tls.cert_not_yet_valid", "The certificate of " + evidence(f) +
                                                " is not valid yet (check this computer's clock): " + why + ".");
    default:
      // Self-signed, unknown issuer, incomplete chain, revoked, wrong purpose: all mean "not a
      // chain this computer trusts", which is what TLS inspection looks like.
      return fail("tls.cert_untrusted", "The certificate of " + evidence(f) + " is not trusted: " + why +
                                            " (X509 error " + std::to_string(f.ssl_verify_result) + ").");
  }
}

}  // namespace

Failure map_transport_failure(const TransportFacts& f) {
  const auto code = static_cast<CURLcode>(f.curl_code);
  const std::string where = evidence(f);
  const bool proxied = f.proxy.has_value();
  // A proxy that answered CONNECT with an error: whatever libcurl calls it, the proxy refused.
  if (proxied && f.proxy_connect_code >= 300)
    return fail("proxy.failed", "The proxy answered HTTP " + std::to_string(f.proxy_connect_code) +
                                    " when asked to connect to " + where + ".");
  switch (code) {
    case CURLE_PROXY:  // a SOCKS proxy's handshake failed
      return fail("proxy.failed", "The proxy refused or failed the connection to " + where + ".");
    case CURLE_COULDNT_RESOLVE_PROXY:
      return fail("proxy.failed", "The proxy's name could not be resolved: " + where + ".");
    case CURLE_COULDNT_RESOLVE_HOST:
      switch (f.dns) {
        case DnsVerdict::not_found:
          return fail("dns.not_found", "The name " + f.host + " does not exist in DNS: " + where + ".");
        case DnsVerdict::resolves_now:
          return fail("dns.failed",
                      "Resolving " + f.host + " failed, then worked on a second try (unreliable DNS): " + where + ".");
        default: return fail("dns.failed", "DNS could not resolve " + f.host + ": " + where + ".");
      }
    case CURLE_COULDNT_CONNECT:
      if (proxied) return fail("proxy.failed", "Could not connect to the proxy for " + where + ".");
      switch (f.os_errno) {
        case ECONNREFUSED: return fail("tcp.refused", "Connection refused by " + where + ".");
        case ETIMEDOUT: return fail("tcp.timeout", "Connecting timed out: " + where + ".");
        case ENETUNREACH:
        case EHOSTUNREACH:
#ifdef ENETDOWN
        case ENETDOWN:
#endif
          return fail("tcp.unreachable", "No route to " + where + ".");
        default: return fail("tcp.unreachable", "Could not connect to " + where + ".");
      }
    case CURLE_OPERATION_TIMEDOUT:
      return fail("tcp.timeout", "No complete answer within " + std::to_string(f.timeout_s) + " s from " + where + ".");
    case CURLE_PEER_FAILED_VERIFICATION: return tls_verify_failure(f);
    case CURLE_SSL_CLIENTCERT:
      return fail("tls.handshake_failed", "The server asked for a client certificate: " + where + ".");
    case CURLE_SSL_ISSUER_ERROR:
      return fail("tls.cert_untrusted", "The certificate of " + where + " was not issued by the expected issuer.");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE: return fail("tls.handshake_failed", "The TLS handshake failed with " + where + ".");
    case CURLE_SSL_CACERT_BADFILE:
      return fail("accounts.invalid",
                  "The CA file " + f.ca_file.value_or("(none)") + " cannot be used: " + where + ".");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return fail("accounts.invalid", "The address " + printable_excerpt(f.url) +
                                          " is not an http or https URL MailDoctor can use (libcurl: " +
                                          printable_excerpt(f.curl_error) + ").");
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_TOO_MANY_REDIRECTS:
      return fail("protocol.bad_response", "The answer from " + where + " is not valid HTTP.");
    case CURLE_FILESIZE_EXCEEDED:
      return fail("http.response_too_large", "The answer from " + where + " is larger than MailDoctor accepts.");
    default:
      // Send/receive errors, an empty reply, a cut-off body: the conversation broke off.
      if (proxied && (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR))
        return fail("proxy.failed", "The connection through the proxy broke off: " + where + ".");
      return fail("protocol.connection_lost", "The exchange with " + where + " broke off.");
  }
}

DnsVerdict recheck_dns(const std::string& host, std::chrono::milliseconds bound) {
  if (host.empty()) return DnsVerdict::unknown;
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    DnsVerdict verdict = DnsVerdict::failed;
  };
  auto shared = std::make_shared<Shared>();
  // Detached: getaddrinfo has no timeout of its own. The thread holds only the shared state.
  std::thread([shared, host] {
    platform::init_sockets();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (res != nullptr) freeaddrinfo(res);
    DnsVerdict v = DnsVerdict::failed;
    if (rc == 0) {
      v = DnsVerdict::resolves_now;
    } else if (rc == EAI_NONAME
#if defined(EAI_NODATA) && EAI_NODATA != EAI_NONAME
               || rc == EAI_NODATA
#endif
    ) {
      v = DnsVerdict::not_found;
    }
    std::lock_guard lock(shared->mu);
    shared->verdict = v;
    shared->done = true;
    shared->cv.notify_all();
  }).detach();
  std::unique_lock lock(shared->mu);
  if (!shared->cv.wait_for(lock, bound, [&] { return shared->done; })) return DnsVerdict::failed;
  return shared->verdict;
}

std::optional<std::string> env_proxy_for(std::string_view url, const EnvLookup& env) {
  if (!env) return std::nullopt;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  std::string scheme = lower(url.substr(0, colon));
  std::string host = lower(url_host(url));

  auto get = [&](const char* name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  std::optional<std::string> no_proxy = get("no_proxy");
  if (!no_proxy) no_proxy = get("NO_PROXY");
  if (no_proxy) {
    std::string list = lower(*no_proxy);
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t end = list.find(',', pos);
      if (end == std::string::npos) end = list.size();
      std::string entry = list.substr(pos, end - pos);
      entry.erase(0, entry.find_first_not_of(" \t"));
      entry.erase(entry.find_last_not_of(" \t") + 1);
      if (entry == "*") return std::nullopt;
      if (!entry.empty() && entry[0] == '.') entry.erase(0, 1);
      if (!entry.empty() && (host == entry || (host.size() > entry.size() && host.ends_with("." + entry))))
        return std::nullopt;
      pos = end + 1;
    }
  }
  std::optional<std::string> proxy;
  if (scheme == "http") {
    proxy = get("http_proxy");  // libcurl ignores HTTP_PROXY: CGI scripts get it from a request header
  } else if (scheme == "https") {
    proxy = get("https_proxy");
    if (!proxy) proxy = get("HTTPS_PROXY");
  }
  if (!proxy) proxy = get("all_proxy");
  if (!proxy) proxy = get("ALL_PROXY");
  return proxy;
}

}  // namespace md::net

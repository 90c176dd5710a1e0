// How a failed libcurl transfer becomes a failure code of the check ladder. Decided from
// structured facts only (the CURLcode, the socket errno, OpenSSL's X509 verify result, the proxy's
// CONNECT status, the resolver's own verdict), never from libcurl's error text, which is only
// carried into the detail. Kept apart from the client so every row can be unit tested.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "datadir.h"
#include "result.h"

namespace md::net {

// What a second, direct look-up says about a name libcurl could not resolve: libcurl reports
// every resolver failure alike, but "the name does not exist" and "DNS did not answer" need
// different remedies.
enum class DnsVerdict { unknown, not_found, failed, resolves_now };

struct TransportFacts {
  int curl_code = 0;                 // CURLcode
  std::string curl_error;            // libcurl's error buffer (or curl_easy_strerror)
  long os_errno = 0;                 // CURLINFO_OS_ERRNO
  long ssl_verify_result = 0;        // CURLINFO_SSL_VERIFYRESULT: X509_V_OK or an X509_V_ERR_*
  long proxy_connect_code = 0;       // CURLINFO_HTTP_CONNECTCODE: the proxy's answer to CONNECT
  std::optional<std::string> proxy;  // the proxy in play, if any
  std::optional<std::string> ca_file;
  std::string url;
  std::string host;
  long timeout_s = 0;
  DnsVerdict dns = DnsVerdict::unknown;
};

Failure map_transport_failure(const TransportFacts& facts);

// getaddrinfo on `host`, waiting at most `bound` (the look-up itself cannot be cancelled, so it
// finishes on a detached thread when the bound passes first; that counts as "failed").
DnsVerdict recheck_dns(const std::string& host, std::chrono::milliseconds bound);

// The proxy libcurl takes from the environment for this URL, following its rules closely enough
// to name it in a detail: http_proxy (lower case only) for http, https_proxy/HTTPS_PROXY for https,
// then all_proxy/ALL_PROXY; none when no_proxy/NO_PROXY is "*" or names the host or a parent domain.
std::optional<std::string> env_proxy_for(std::string_view url, const EnvLookup& env);

}  // namespace md::net

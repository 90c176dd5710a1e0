// OpenID Connect Discovery 1.0: an issuer URL → the client's endpoints, for custom providers.
#pragma once

#include <string>

#include "net/http_client.h"
#include "oauth/client_config.h"
#include "result.h"

namespace md::oauth {

// Fetches <issuer>/.well-known/openid-configuration (with base.http) and fills the endpoints
// base leaves empty: endpoints set explicitly (--token-url ...) win over discovered ones. The
// document's `issuer` must equal `issuer` exactly (Discovery 4.3: no trailing-slash games), its
// authorization_endpoint and token_endpoint must be present, every endpoint a string with https (or
// http on a loopback host). Not JSON, HTML, missing or mistyped fields, another issuer →
// "oauth.discovery_invalid"; transport failures → "oauth.endpoint_unreachable".
Result<ClientConfig> discover(const std::string& issuer, ClientConfig base, net::Transcript* transcript = nullptr);

// The checks of discover() on an answer already received (pure: the fuzz target feeds it bytes).
Result<ClientConfig> read_discovery_document(const std::string& issuer, const net::HttpResponse& response,
                                             ClientConfig base);

// The discovery URL of an issuer (its trailing '/' removed before the well-known suffix).
std::string discovery_url(const std::string& issuer);

}  // namespace md::oauth

// OAuth error answers → MailDoctor failure codes. Decided from structured fields only: the `error`
// value (RFC 6749 5.2 / 4.1.2.1, RFC 8628 3.5) and Microsoft's AADSTS number (from `error_codes`,
// else the leading "AADSTSnnnn" token of error_description). The prose of error_description is
// never interpreted (Microsoft says not to parse it); it is carried into the detail together with
// Microsoft's trace_id and correlation_id, which a user must quote to Microsoft's support.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace md::oauth {

struct OAuthErrorBody {
  std::string error;
  std::string description;
  std::string uri;
  std::vector<long long> error_codes;  // Microsoft: AADSTS numbers
  std::string trace_id, correlation_id;
};

// The fields of a JSON error body; nullopt when the body is not a JSON object. Fields of the
// wrong type are left empty.
std::optional<OAuthErrorBody> parse_error_body(std::string_view body);

// The AADSTS number that decides the mapping: the first of error_codes MailDoctor knows, else the
// first of error_codes, else the leading "AADSTSnnnn" of the description.
std::optional<long long> aadsts_number(const OAuthErrorBody& body);

// A token (or device, or revocation) endpoint's error answer. Non-JSON → "oauth.bad_response"
// with the status and a sanitised excerpt; 5xx and 429 → "oauth.server_error".
Failure map_token_error(long http_status, std::string_view body);

// An error delivered to the redirect URI (error, error_description, error_uri query parameters).
Failure map_authorize_error(std::string_view error, std::string_view description, std::string_view error_uri = {});

}  // namespace md::oauth

// Error answers → failure codes, from the structured fields only: every `error` value and AADSTS
// number of the mapping table, from error_codes and from the description's leading token, with
// the ids a user must quote kept in the detail.
#include <doctest/doctest.h>

#include "oauth/errors.h"

using md::oauth::map_authorize_error;
using md::oauth::map_token_error;

namespace {

std::string token_code(const std::string& body, long status = 400) {
  return map_token_error(status, body).code;
}

}  // namespace

TEST_CASE("oauth: token endpoint `error` values map to failure codes") {
  const std::pair<const char*, const char*> rows[] = {
      {"invalid_grant", "oauth.invalid_grant"},
      {"invalid_client", "oauth.invalid_client"},
      {"unauthorized_client", "oauth.unauthorized_client"},
      {"unsupported_grant_type", "oauth.unauthorized_client"},
      {"access_denied", "oauth.access_denied"},
      {"authorization_declined", "oauth.access_denied"},
      {"redirect_uri_mismatch", "oauth.redirect_uri_mismatch"},
      {"invalid_scope", "oauth.invalid_scope"},
      {"invalid_request", "oauth.invalid_request"},
      {"consent_required", "oauth.admin_consent_required"},
      {"interaction_required", "oauth.invalid_grant"},  // on a refresh: sign in interactively again
      {"temporarily_unavailable", "oauth.server_error"},
      {"server_error", "oauth.server_error"},
      {"expired_token", "oauth.device_expired"},
      {"bad_verification_code", "oauth.invalid_grant"},
      {"something_new", "oauth.invalid_request"},
  };
  for (auto [error, code] : rows) {
    std::string body = std::string(R"({"error":")") + error + R"(","error_description":"words"})";
    CHECK_MESSAGE(token_code(body) == code, error);
  }
}

TEST_CASE("oauth: authorization redirect errors map to failure codes") {
  CHECK(map_authorize_error("access_denied", "The user said no").code == "oauth.access_denied");
  CHECK(map_authorize_error("consent_required", "").code == "oauth.admin_consent_required");
  CHECK(map_authorize_error("interaction_required", "").code == "oauth.admin_consent_required");
  CHECK(map_authorize_error("invalid_scope", "").code == "oauth.invalid_scope");
  CHECK(map_authorize_error("unauthorized_client", "").code == "oauth.unauthorized_client");
  CHECK(map_authorize_error("server_error", "").code == "oauth.server_error");
  CHECK(map_authorize_error("temporarily_unavailable", "").code == "oauth.server_error");
  // Microsoft puts the AADSTS number first in the description of a redirect error.
  auto f = map_authorize_error("invalid_request", "AADSTS50011: The redirect URI 'http://127.0.0.1:5/' does not match",
                               "https://login.microsoftonline.com/error?code=50011");
  CHECK(f.code == "oauth.redirect_uri_mismatch");
  CHECK(f.detail.find("AADSTS50011") != std::string::npos);
  CHECK(f.detail.find("error?code=50011") != std::string::npos);
  CHECK(map_authorize_error("access_denied", "AADSTS65001: The user or administrator has not consented").code ==
        "oauth.admin_consent_required");
}

TEST_CASE("oauth: AADSTS numbers from error_codes decide over the error value") {
  const std::pair<long, const char*> rows[] = {
      {50011, "oauth.redirect_uri_mismatch"},  {900971, "oauth.redirect_uri_mismatch"},
      {65001, "oauth.admin_consent_required"}, {90094, "oauth.admin_consent_required"},
      {700016, "oauth.invalid_client"},        {7000215, "oauth.invalid_client"},
      {7000222, "oauth.invalid_client"},       {7000218, "oauth.invalid_client"},
      {700082, "oauth.invalid_grant"},         {50173, "oauth.invalid_grant"},
      {70043, "oauth.invalid_grant"},          {70008, "oauth.invalid_grant"},
  };
  for (auto [number, code] : rows) {
    // The error value says something else on purpose, and the description carries no number.
    std::string body = R"({"error":"invalid_request","error_description":"prose only","error_codes":[)" +
                       std::to_string(number) + "]}";
    CHECK_MESSAGE(token_code(body) == code, number);
    auto f = map_token_error(400, body);
    CHECK(f.detail.find("AADSTS" + std::to_string(number)) != std::string::npos);
  }
  // A known number wins over an unknown one listed first.
  CHECK(token_code(R"({"error":"invalid_grant","error_codes":[9999999, 7000218]})") == "oauth.invalid_client");
}

TEST_CASE("oauth: AADSTS number from the leading token of error_description") {
  const std::pair<const char*, const char*> rows[] = {
      {"AADSTS700016: Application with identifier 'alice@example.com' was not found in the directory 'x'.",
       "oauth.invalid_client"},
      {"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
       "oauth.invalid_client"},
      {"AADSTS700082: The refresh token has expired due to inactivity.", "oauth.invalid_grant"},
      {"AADSTS50173: The provided grant has expired due to it being revoked.", "oauth.invalid_grant"},
      {"AADSTS900971: No reply address provided.", "oauth.redirect_uri_mismatch"},
  };
  for (auto [description, code] : rows) {
    std::string body = std::string(R"({"error":"invalid_request","error_description":")") + description + "\"}";
    CHECK_MESSAGE(token_code(body) == code, description);
  }
  // Only the leading token counts: prose mentioning a number elsewhere is not parsed.
  CHECK(token_code(R"({"error":"invalid_request","error_description":"see AADSTS700082 later"})") ==
        "oauth.invalid_request");
}

TEST_CASE("oauth: trace_id and correlation_id are kept in the detail, description sanitised") {
  std::string body =
      R"({"error":"invalid_grant","error_description":"AADSTS70043: The refresh token has expired.\r\nTrace ID: 0d3c\r\n<b>x</b>","error_codes":[70043],"timestamp":"2026-11-29 10:00:00Z","trace_id":"0d3c-trace","correlation_id":"6a1f-corr"})";
  auto f = map_token_error(400, body);
  CHECK(f.code == "oauth.invalid_grant");
  CHECK(f.detail.find("error=invalid_grant") != std::string::npos);
  CHECK(f.detail.find("trace_id=0d3c-trace") != std::string::npos);
  CHECK(f.detail.find("correlation_id=6a1f-corr") != std::string::npos);
  CHECK(f.detail.find("The refresh token has expired.") != std::string::npos);
  CHECK(f.detail.find('\r') == std::string::npos);
  CHECK(f.detail.find('\n') == std::string::npos);
  CHECK(f.detail.find("HTTP 400") != std::string::npos);
}

TEST_CASE("oauth: non-JSON, empty and error-less answers are oauth.bad_response, 5xx and 429 server_error") {
  auto html = map_token_error(400, "<html><body>Please log in to the hotel Wi-Fi</body></html>");
  CHECK(html.code == "oauth.bad_response");
  CHECK(html.detail.find("HTTP 400") != std::string::npos);
  CHECK(html.detail.find("HTML") != std::string::npos);
  CHECK(html.detail.find("hotel Wi-Fi") != std::string::npos);

  auto garbage = map_token_error(401, std::string("\x01\x02garbage\xff", 10) + std::string(1000, 'z'));
  CHECK(garbage.code == "oauth.bad_response");
  CHECK(garbage.detail.find('\x01') == std::string::npos);
  CHECK(garbage.detail.size() < 500);  // an excerpt, not the whole body

  CHECK(map_token_error(400, "").code == "oauth.bad_response");
  CHECK(map_token_error(400, "[1,2]").code == "oauth.bad_response");
  CHECK(map_token_error(400, R"({"message":"no"})").code == "oauth.bad_response");
  CHECK(map_token_error(400, R"({"error":42})").code == "oauth.bad_response");
  CHECK(map_token_error(400, std::string(100000, '[')).code == "oauth.bad_response");

  CHECK(map_token_error(502, "<html>Bad Gateway</html>").code == "oauth.server_error");
  CHECK(map_token_error(500, R"({"error":"invalid_grant"})").code == "oauth.server_error");
  auto busy = map_token_error(429, "slow down");
  CHECK(busy.code == "oauth.server_error");
  CHECK(busy.detail.find("429") != std::string::npos);
}

TEST_CASE("oauth: a token a wrong-shaped or error answer carries never reaches the detail") {
  const std::string secret = "at-0123456789-SECRET";
  auto array = map_token_error(400, R"([{"access_token":")" + secret + R"("}])");
  CHECK(array.code == "oauth.bad_response");
  CHECK(array.detail.find("not an object") != std::string::npos);
  CHECK(array.detail.find(secret) == std::string::npos);
  CHECK(array.detail.find("access_token") != std::string::npos);  // the shape stays readable

  auto no_error = map_token_error(400, R"({"refresh_token":")" + secret + R"(","note":"odd"})");
  CHECK(no_error.code == "oauth.bad_response");
  CHECK(no_error.detail.find(secret) == std::string::npos);
  CHECK(no_error.detail.find("odd") != std::string::npos);

  auto server = map_token_error(503, R"([{"id_token":")" + secret + R"("},{"refresh_token":")" + secret + R"("}])");
  CHECK(server.code == "oauth.server_error");
  CHECK(server.detail.find(secret) == std::string::npos);

  // Plain text keeps the server's words.
  auto text = map_token_error(500, "token store unavailable");
  CHECK(text.detail.find("token store unavailable") != std::string::npos);
}

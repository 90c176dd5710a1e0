// OAuth error answers (core/oauth/errors.h): a token endpoint's error body under a chosen HTTP
// status, and the error, error_description and error_uri a redirect brings back to the listener.
#include <cstdint>
#include <cstdlib>

#include "diagnostics/catalogue.h"
#include "fuzz_support.h"
#include "oauth/errors.h"

using namespace md;
using namespace md::oauth;

namespace {

// Every code a person sees must have its catalogue entry (reason and remedy).
void check(const Failure& f) {
  fuzz::check_one_line(f);
  if (diagnostics::find_entry(f.code) == nullptr) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const long statuses[] = {400, 400, 401, 403, 200, 429, 500, 502, 503, 404};
  const long status = statuses[data[0] % std::size(statuses)];
  std::string_view body = fuzz::as_text(data + 1, size - 1);

  if (auto parsed = parse_error_body(body)) (void)aadsts_number(*parsed);
  check(map_token_error(status, body));

  // The same bytes as the redirect's three query values, split at the first two NUL bytes.
  std::string_view parts[3];
  std::string_view rest = body;
  for (int i = 0; i < 2; ++i) {
    size_t nul = rest.find('\0');
    parts[i] = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
  }
  parts[2] = rest;
  check(map_authorize_error(parts[0], parts[1], parts[2]));
  return 0;
}

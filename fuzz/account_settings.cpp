// An account's stored settings document (core/accounts/repository.h from_json), read as
// load_account reads the column: parsed, mapped to an Account, validated; an Account that reads
// must also survive its own round trip (save, load) unchanged.
#include <cstdint>
#include <cstdlib>

#include "accounts/repository.h"
#include "fuzz_support.h"

using namespace md;
using namespace md::accounts;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  // load_account catches the parse error as it does here: a malformed document is accounts.invalid.
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  auto account = from_json(doc);
  if (!account) return 0;
  (void)validate(account.value());
  const nlohmann::json saved = to_json(account.value());
  auto again = from_json(saved);
  if (!again || to_json(again.value()) != saved) std::abort();
  (void)saved.dump();
  return 0;
}

#include "platform/key_protection.h"

#if defined(_WIN32)
#include <windows.h>
// after windows.h
#include <dpapi.h>

#include "platform/text.h"
#endif

namespace md::platform {

#if defined(_WIN32)
namespace {

const wchar_t kDescription[] = L"MailDoctor vault key";

struct Blob {
  DATA_BLOB out{};
  ~Blob() {
    if (out.pbData) {
      SecureZeroMemory(out.pbData, out.cbData);
      LocalFree(out.pbData);
    }
  }
};

DATA_BLOB in_blob(std::string_view bytes) {
  DATA_BLOB b;
  b.cbData = static_cast<DWORD>(bytes.size());
  b.pbData = reinterpret_cast<BYTE*>(const_cast<char*>(bytes.data()));
  return b;
}

}  // namespace

bool has_user_key_protection() {
  return true;
}

std::string user_key_protection_name() {
  return "DPAPI (current user)";
}

Result<std::string> protect_for_user(std::string_view secret) {
  DATA_BLOB in = in_blob(secret);
  Blob blob;
  if (!CryptProtectData(&in, kDescription, nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &blob.out))
    return fail("vault.key_unreadable",
                "Windows could not protect the vault key (DPAPI): " + system_error_text(GetLastError()));
  return std::string(reinterpret_cast<const char*>(blob.out.pbData), blob.out.cbData);
}

Result<std::string> unprotect_for_user(std::string_view wrapped) {
  DATA_BLOB in = in_blob(wrapped);
  Blob blob;
  if (!CryptUnprotectData(&in, nullptr, nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &blob.out))
    return fail("vault.key_unwrap_failed",
                "Windows could not unprotect the vault key (DPAPI: " + system_error_text(GetLastError()) +
                    "). It was protected for another Windows user or computer, or the file is damaged.");
  return std::string(reinterpret_cast<const char*>(blob.out.pbData), blob.out.cbData);
}
#else
bool has_user_key_protection() {
  return false;
}

std::string user_key_protection_name() {
  return "none";
}

Result<std::string> protect_for_user(std::string_view) {
  return fail("vault.key_unreadable", "no key protection by the operating system here");
}

Result<std::string> unprotect_for_user(std::string_view) {
  return fail("vault.key_unwrap_failed", "no key protection by the operating system here");
}
#endif

}  // namespace md::platform

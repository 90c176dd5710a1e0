// The operating system's protection for a secret at rest (the vault's key): DPAPI for the current
// user on Windows. On Linux the key is kept in the Secret Service instead (platform/secret_service.h),
// else in a 0600 key file; nothing here.
#pragma once

#include <string>
#include <string_view>

#include "result.h"

namespace md::platform {

// True where protect()/unprotect() do something (Windows).
bool has_user_key_protection();
// What protects the key, for status and reports: "DPAPI (current user)", "none".
std::string user_key_protection_name();

// CryptProtectData / CryptUnprotectData for the current user. Failure codes:
// vault.key_unwrap_failed (the blob was protected by another user or machine, or is damaged).
Result<std::string> protect_for_user(std::string_view secret);
Result<std::string> unprotect_for_user(std::string_view blob);

}  // namespace md::platform

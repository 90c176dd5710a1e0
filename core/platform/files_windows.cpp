#if defined(_WIN32)
#include <windows.h>
// after windows.h
#include <aclapi.h>
#include <sddl.h>

#include <memory>

#include "platform/files.h"
#include "platform/text.h"

namespace md::platform {
namespace {

HANDLE as_handle(long long h) {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(h));
}

// "D:P(A;OICI;FA;;;<current user's SID>)": a protected DACL (nothing inherited from the parent)
// that grants full access to the current user alone, inherited by what a folder will hold.
struct OwnerOnly {
  SECURITY_ATTRIBUTES sa{};
  PSECURITY_DESCRIPTOR sd = nullptr;
  bool ok = false;
  OwnerOnly() {
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return;
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::unique_ptr<unsigned char[]> buf(new unsigned char[size ? size : 1]);
    wchar_t* sid = nullptr;
    if (GetTokenInformation(token, TokenUser, buf.get(), size, &size) &&
        ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buf.get())->User.Sid, &sid)) {
      std::wstring sddl = L"D:P(A;OICI;FA;;;" + std::wstring(sid) + L")";
      LocalFree(sid);
      ok = ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd, nullptr) != 0;
    }
    CloseHandle(token);
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = sd;
    sa.bInheritHandle = FALSE;
  }
  ~OwnerOnly() {
    if (sd) LocalFree(sd);
  }
  OwnerOnly(const OwnerOnly&) = delete;
  OwnerOnly& operator=(const OwnerOnly&) = delete;
};

}  // namespace

FileLock::~FileLock() {
  if (handle_ != kNone) CloseHandle(as_handle(handle_));
}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
  if (this != &o) {
    if (handle_ != kNone) CloseHandle(as_handle(handle_));
    handle_ = o.handle_;
    o.handle_ = kNone;
  }
  return *this;
}

FileLock::Outcome FileLock::acquire(const std::filesystem::path& file, std::string_view note) {
  Outcome out;
  HANDLE h = CreateFileW(file.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    out.error = system_error_text(GetLastError());
    return out;
  }
  // The lock covers a byte range far past the pid written at the start, so the holder's pid stays
  // readable by the process that is refused.
  OVERLAPPED at{};
  at.Offset = 0;
  at.OffsetHigh = 1;
  if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at)) {
    DWORD err = GetLastError();
    if (err == ERROR_LOCK_VIOLATION || err == ERROR_IO_PENDING) {
      out.busy = true;
      char buf[32] = {};
      DWORD n = 0;
      if (ReadFile(h, buf, sizeof buf - 1, &n, nullptr)) out.holder.assign(buf, n);
      while (!out.holder.empty() && (out.holder.back() == '\n' || out.holder.back() == ' ')) out.holder.pop_back();
    } else {
      out.error = system_error_text(err);
    }
    CloseHandle(h);
    return out;
  }
  DWORD written = 0;
  SetFilePointer(h, 0, nullptr, FILE_BEGIN);
  SetEndOfFile(h);
  WriteFile(h, note.data(), static_cast<DWORD>(note.size()), &written, nullptr);
  out.lock.handle_ = static_cast<long long>(reinterpret_cast<intptr_t>(h));
  return out;
}

long current_pid() {
  return static_cast<long>(GetCurrentProcessId());
}

Result<void> restrict_to_owner(const std::filesystem::path& path) {
  OwnerOnly owner;
  if (!owner.ok)
    return fail("datadir.unusable", "Cannot build an owner-only ACL: " + system_error_text(GetLastError()));
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  GetSecurityDescriptorDacl(owner.sd, &present, &dacl, &defaulted);
  std::wstring wide = path.wstring();
  DWORD rc = SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT,
                                   DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                   dacl, nullptr);
  if (rc != ERROR_SUCCESS)
    return fail("datadir.unusable", "Cannot restrict " + path.string() + ": " + system_error_text(rc));
  return {};
}

CreateOutcome create_owner_only(const std::filesystem::path& file, std::string_view content) {
  CreateOutcome out;
  OwnerOnly owner;
  HANDLE h = CreateFileW(file.wstring().c_str(), GENERIC_WRITE, 0, owner.ok ? &owner.sa : nullptr, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    out.exists = err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS;
    out.error = system_error_text(err);
    return out;
  }
  DWORD written = 0;
  bool ok = WriteFile(h, content.data(), static_cast<DWORD>(content.size()), &written, nullptr) &&
            written == content.size() && FlushFileBuffers(h);
  if (!ok) out.error = system_error_text(GetLastError());
  CloseHandle(h);
  if (!ok) DeleteFileW(file.wstring().c_str());
  out.ok = ok;
  return out;
}

std::string describe_protection(const std::filesystem::path& path) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  PACL dacl = nullptr;
  std::wstring wide = path.wstring();
  if (GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl, nullptr,
                            &sd) != ERROR_SUCCESS)
    return "missing";
  // Owner-only when every entry that allows anything names the current user.
  HANDLE token = nullptr;
  std::unique_ptr<unsigned char[]> user;
  DWORD size = 0;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    user.reset(new unsigned char[size ? size : 1]);
    if (!GetTokenInformation(token, TokenUser, user.get(), size, &size)) user.reset();
    CloseHandle(token);
  }
  PSID me = user ? reinterpret_cast<TOKEN_USER*>(user.get())->User.Sid : nullptr;
  int others = 0, entries = dacl ? dacl->AceCount : 0;
  for (int i = 0; i < entries; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, static_cast<DWORD>(i), &ace)) continue;
    auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
    PSID sid = &static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart;
    if (!me || !EqualSid(sid, me)) ++others;
  }
  LocalFree(sd);
  if (dacl && others == 0) return "owner-only ACL";
  return "ACL open to " + std::to_string(others) + " other entries";
}

}  // namespace md::platform
#endif

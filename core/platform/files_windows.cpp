#if defined(_WIN32)
#include <windows.h>
// after windows.h
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <atomic>
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

namespace {

// Creates `file` (CREATE_NEW: never an existing one) with `content`, flushed to disk; removed again
// when it cannot be written whole. `opened`: whether the file was created at all.
CreateOutcome create_new(const std::filesystem::path& file, std::string_view content, SECURITY_ATTRIBUTES* sa,
                         bool* opened = nullptr) {
  CreateOutcome out;
  HANDLE h = CreateFileW(file.wstring().c_str(), GENERIC_WRITE, 0, sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (opened) *opened = h != INVALID_HANDLE_VALUE;
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    out.exists = err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS;
    out.error = system_error_text(err);
    return out;
  }
  bool ok = true;
  while (ok && !content.empty()) {
    DWORD chunk = static_cast<DWORD>(std::min<size_t>(content.size(), 1u << 30));
    DWORD written = 0;
    ok = WriteFile(h, content.data(), chunk, &written, nullptr) && written == chunk;
    content.remove_prefix(written);
  }
  ok = ok && FlushFileBuffers(h);
  if (!ok) out.error = system_error_text(GetLastError());
  CloseHandle(h);
  if (!ok) DeleteFileW(file.wstring().c_str());
  out.ok = ok;
  return out;
}

}  // namespace

CreateOutcome create_owner_only(const std::filesystem::path& file, std::string_view content) {
  OwnerOnly owner;
  return create_new(file, content, owner.ok ? &owner.sa : nullptr);
}

ReplaceOutcome replace_file(const std::filesystem::path& file, std::string_view content, Readers readers) {
  OwnerOnly owner;
  SECURITY_ATTRIBUTES* sa = readers == Readers::owner && owner.ok ? &owner.sa : nullptr;
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  // A fresh name each time: two writers of one file never share a temp file.
  static std::atomic<unsigned> serial{0};
  std::filesystem::path temp;
  CreateOutcome created;
  bool opened = false;
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = dir / (L"." + file.filename().wstring() + L".tmp-" + std::to_wstring(GetCurrentProcessId()) + L"-" +
                  std::to_wstring(serial++));
    created = create_new(temp, content, sa, &opened);
    if (!created.exists) break;
  }
  if (!created.ok) return {false, opened ? "cannot write" : "cannot create a file in " + dir.string(), created.error};
  if (!MoveFileExW(temp.wstring().c_str(), file.wstring().c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    std::string error = system_error_text(GetLastError());
    DeleteFileW(temp.wstring().c_str());
    return {false, "cannot put the file in place", error};
  }
  return {true, {}, {}};
}

SecretFile read_owner_only(const std::filesystem::path& file, size_t limit) {
  SecretFile out;
  HANDLE h = CreateFileW(file.wstring().c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
      out.outcome = SecretFile::missing;
    } else {
      out.action = "open";
      out.error = system_error_text(err);
    }
    return out;
  }
  LARGE_INTEGER size{};
  if (GetFileType(h) != FILE_TYPE_DISK) {
    out.outcome = SecretFile::not_regular;
  } else if (!GetFileSizeEx(h, &size)) {
    out.action = "inspect";
    out.error = system_error_text(GetLastError());
  } else {
    out.size = static_cast<unsigned long long>(size.QuadPart);
    out.content.resize(limit);
    size_t got = 0;
    while (got < limit) {
      DWORD n = 0;
      DWORD want = static_cast<DWORD>(std::min<size_t>(limit - got, 1u << 30));
      if (!ReadFile(h, out.content.data() + got, want, &n, nullptr)) {
        out.action = "read";
        out.error = system_error_text(GetLastError());
        break;
      }
      if (n == 0) break;
      got += n;
    }
    if (!out.action.empty()) {
      SecureZeroMemory(out.content.data(), out.content.size());
      out.content.clear();
    } else {
      out.content.resize(got);
      out.outcome = SecretFile::ok;
    }
  }
  CloseHandle(h);
  return out;
}

bool seek_to(std::FILE* f, unsigned long long offset) {
  return _fseeki64(f, static_cast<__int64>(offset), SEEK_SET) == 0;
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

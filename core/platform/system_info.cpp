#include "platform/system_info.h"

#if defined(_WIN32)
#include <windows.h>

#include "platform/text.h"
#else
#include <sys/utsname.h>

#include <fstream>
#endif

namespace md::platform {

#if defined(_WIN32)
namespace {
// A text value of HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion, or "" when absent.
std::string registry_text(const wchar_t* name) {
  wchar_t buf[256];
  DWORD size = sizeof buf;
  if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", name, RRF_RT_REG_SZ, nullptr,
                   buf, &size) != ERROR_SUCCESS)
    return {};
  return narrow(buf);
}
}  // namespace

std::map<std::string, std::string> os_description() {
  std::map<std::string, std::string> out{{"sysname", "Windows"}};
  // GetVersionEx lies to programs without a compatibility manifest; RtlGetVersion does not.
  using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  auto get = ntdll ? reinterpret_cast<RtlGetVersionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")))
                   : nullptr;
  OSVERSIONINFOW v{};
  v.dwOSVersionInfoSize = sizeof v;
  if (get && get(&v) == 0) {
    out["release"] = std::to_string(v.dwMajorVersion) + "." + std::to_string(v.dwMinorVersion);
    out["version"] = "build " + std::to_string(v.dwBuildNumber);
  }
  SYSTEM_INFO si{};
  GetNativeSystemInfo(&si);
  out["machine"] = si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
                   : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "arm64"
                                                                               : "other";
  if (std::string product = registry_text(L"ProductName"); !product.empty()) {
    // Windows 11 kept "Windows 10" in ProductName; its builds start at 22000.
    if (v.dwBuildNumber >= 22000 && product.starts_with("Windows 10")) product.replace(8, 2, "11");
    if (std::string shown = registry_text(L"DisplayVersion"); !shown.empty()) product += " " + shown;
    out["distribution"] = product;
  }
  using WineVersionFn = const char*(CDECL*)();
  if (auto wine =
          ntdll ? reinterpret_cast<WineVersionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "wine_get_version")))
                : nullptr)
    out["wine"] = wine();
  return out;
}
#else
std::map<std::string, std::string> os_description() {
  std::map<std::string, std::string> out;
  struct utsname u {};
  if (::uname(&u) == 0) {
    out["sysname"] = u.sysname;
    out["release"] = u.release;
    out["version"] = u.version;
    out["machine"] = u.machine;
  }
  // The distribution's own name for itself (os-release(5)): "Debian GNU/Linux 12 (bookworm)".
  std::ifstream release("/etc/os-release");
  for (std::string line; std::getline(release, line);) {
    if (!line.starts_with("PRETTY_NAME=")) continue;
    std::string v = line.substr(12);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    if (!v.empty()) out["distribution"] = v;
    break;
  }
  return out;
}
#endif

}  // namespace md::platform

#include "platform/system_info.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <sys/utsname.h>
#endif

namespace md::platform {

#if defined(_WIN32)
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
  return out;
}
#endif

}  // namespace md::platform

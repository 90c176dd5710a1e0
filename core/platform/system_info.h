// What the operating system is: the family this build is for, and for support reports its sysname,
// release, version and machine.
#pragma once

#include <map>
#include <string>

namespace md::platform {

// The family of system this build is for: where per-user data lives, how a browser is opened.
enum class Os { linux_like, windows, macos };
#if defined(_WIN32)
constexpr Os kBuildOs = Os::windows;
#elif defined(__APPLE__)
constexpr Os kBuildOs = Os::macos;
#else
constexpr Os kBuildOs = Os::linux_like;
#endif

// Keys: "sysname" ("Linux", "Windows"), "release" ("6.1.0-13-amd64", "10.0"), "version" (kernel
// build, or Windows build number), "machine" ("x86_64"), "distribution" when known ("Debian
// GNU/Linux 12 (bookworm)" from os-release, "Windows 11 Pro 23H2" from the registry); also "wine"
// when running under Wine.
std::map<std::string, std::string> os_description();

}  // namespace md::platform

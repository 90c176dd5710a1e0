// What the operating system is, for support reports: sysname, release, version, machine.
#pragma once

#include <map>
#include <string>

namespace md::platform {

// Keys: "sysname" ("Linux", "Windows"), "release" ("6.1.0-13-amd64", "10.0"), "version" (kernel
// build, or Windows build number), "machine" ("x86_64"); also "wine" when running under Wine.
std::map<std::string, std::string> os_description();

}  // namespace md::platform

#include "datadir.h"

#include <cstdlib>
#include <system_error>

#include "platform/files.h"

namespace md {

Platform current_platform() {
  return platform::kBuildOs;
}

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

Result<DataDirChoice> resolve_data_dir(const std::optional<std::string>& flag, const EnvLookup& env,
                                       Platform platform) {
  namespace fs = std::filesystem;
  if (flag) {
    if (flag->empty()) return fail("usage", "--data-dir needs a directory");
    return DataDirChoice{fs::path(*flag), "--data-dir"};
  }
  if (auto home = env("MAILDOCTOR_HOME")) return DataDirChoice{fs::path(*home), "MAILDOCTOR_HOME"};

  switch (platform) {
    case Platform::windows:
      if (auto appdata = env("APPDATA")) return DataDirChoice{fs::path(*appdata) / "MailDoctor", "APPDATA"};
      break;
    case Platform::macos:
      if (auto home = env("HOME"))
        return DataDirChoice{fs::path(*home) / "Library" / "Application Support" / "MailDoctor", "HOME"};
      break;
    case Platform::linux_like:
      // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
      // Absolute in the POSIX sense (a leading '/'), whichever system evaluates the rule.
      if (auto xdg = env("XDG_DATA_HOME"); xdg && xdg->front() == '/')
        return DataDirChoice{fs::path(*xdg) / "maildoctor", "XDG_DATA_HOME"};
      if (auto home = env("HOME")) return DataDirChoice{fs::path(*home) / ".local" / "share" / "maildoctor", "HOME"};
      break;
  }
  return fail("datadir.unknown",
              "Cannot tell where to keep MailDoctor's data: no home directory is set. "
              "Pass --data-dir DIR or set MAILDOCTOR_HOME.");
}

Result<void> prepare_data_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("datadir.unusable", "Cannot create " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir, ec)) return fail("datadir.unusable", dir.string() + " exists but is not a directory");
  // Tokens and logs live here: keep other local users out.
  return platform::restrict_to_owner(dir);
}

}  // namespace md

// Where MailDoctor keeps its files: --data-dir, else MAILDOCTOR_HOME, else the platform's place
// for per-user application data (XDG on Linux, %APPDATA% on Windows, Application Support on macOS).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "platform/system_info.h"
#include "result.h"

namespace md {

using Platform = platform::Os;

Platform current_platform();

// Reads an environment variable; injectable so tests need not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

struct DataDirChoice {
  std::filesystem::path path;
  std::string source;  // "--data-dir", "MAILDOCTOR_HOME", "XDG_DATA_HOME", ... for --help and reports
};

// Picks the data directory without touching the disk.
Result<DataDirChoice> resolve_data_dir(const std::optional<std::string>& flag, const EnvLookup& env, Platform platform);

// Creates the directory (and parents) readable by the owner only; fails with "datadir.unusable".
Result<void> prepare_data_dir(const std::filesystem::path& dir);

// The files inside it, named once here.
struct DataLayout {
  std::filesystem::path root;
  std::filesystem::path database() const { return root / "maildoctor.db"; }
  std::filesystem::path logs_dir() const { return root / "logs"; }
  std::filesystem::path imgui_ini() const { return root / "imgui.ini"; }
  std::filesystem::path vault_key() const { return root / "vault.key"; }
  // Held (flock) by the process syncing an account, so two syncs never interleave.
  std::filesystem::path sync_lock(const std::string& account) const { return root / ("sync-" + account + ".lock"); }
};

}  // namespace md

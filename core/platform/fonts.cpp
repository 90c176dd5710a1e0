#include "platform/fonts.h"

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <system_error>

namespace md::platform {

std::string ui_font_path(const std::string& configured) {
  std::error_code ec;
#if defined(_WIN32)
  const char* windir = std::getenv("WINDIR");
  std::filesystem::path fonts = std::filesystem::path(windir && *windir ? windir : "C:\\Windows") / "Fonts";
  for (const char* name : {"segoeui.ttf", "tahoma.ttf", "arial.ttf"}) {
    std::filesystem::path candidate = fonts / name;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
  }
#endif
  if (!configured.empty() && std::filesystem::is_regular_file(configured, ec)) return configured;
  return {};
}

}  // namespace md::platform

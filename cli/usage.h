// The text of --help, kept as a table so the man page and shell completion can be generated from
// the same source.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace md::cli {

struct CommandUsage {
  std::string_view name;      // "account add"
  std::string_view synopsis;  // the arguments, as in DESIGN.md
  std::string_view summary;   // one line, for people
};

std::span<const CommandUsage> command_usage();
std::string help_text();
// "maildoctor 0.1.0" plus the libraries in use; `extra` adds GUI libraries from app/.
std::string version_text(std::string_view extra = {});

}  // namespace md::cli

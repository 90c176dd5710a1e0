// The command line: global options, then a command and its own arguments (DESIGN.md's contract).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace md::cli {

struct GlobalArgs {
  std::optional<std::string> data_dir;
  bool help = false;
  bool version = false;
  // The command and everything after it; empty for the GUI.
  std::vector<std::string> command;
};

Result<GlobalArgs> parse_global(const std::vector<std::string>& argv);

// Reads one command's arguments: positionals, --flag, --flag VALUE and --flag=VALUE.
class ArgReader {
 public:
  explicit ArgReader(std::vector<std::string> args) : args_(std::move(args)) {}
  bool flag(const std::string& name);
  std::optional<std::string> value(const std::string& name);
  std::vector<std::string> values(const std::string& name);  // repeated flags
  // Only meaningful once every flag with a value has been read (a value looks like a positional).
  std::vector<std::string> positionals() const;
  // Anything left that starts with "--" is unknown: a usage error naming it.
  Result<void> finish() const;

 private:
  std::vector<std::string> args_;
  std::vector<bool> used_ = std::vector<bool>(args_.size(), false);
  std::vector<bool> is_value_ = std::vector<bool>(args_.size(), false);  // the value of a flag read
  std::optional<std::string> error_;
};

}  // namespace md::cli

#include "cli/args.h"

namespace md::cli {

Result<GlobalArgs> parse_global(const std::vector<std::string>& argv) {
  GlobalArgs g;
  size_t i = 0;
  auto need_value = [&](const std::string& name) -> Result<std::string> {
    if (i + 1 >= argv.size()) return fail("usage", name + " needs a value");
    return argv[++i];
  };
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      g.help = true;
    } else if (a == "--version") {
      g.version = true;
    } else if (a == "--data-dir" || a.starts_with("--data-dir=")) {
      if (a.size() > 10) {
        g.data_dir = a.substr(11);
      } else {
        auto v = need_value(a);
        if (!v) return v.failure();
        g.data_dir = v.value();
      }
    } else if (a.starts_with("-")) {
      return fail("usage", "unknown option " + a + " (see maildoctor --help)");
    } else {
      g.command.assign(argv.begin() + static_cast<long>(i), argv.end());
      break;
    }
  }
  return g;
}

bool ArgReader::flag(const std::string& name) {
  bool seen = false;
  for (size_t i = 0; i < args_.size(); ++i)
    if (!is_value_[i] && args_[i] == name) used_[i] = seen = true;
  return seen;
}

std::optional<std::string> ArgReader::value(const std::string& name) {
  auto all = values(name);
  if (all.size() > 1 && !error_) error_ = name + " given more than once";
  if (all.empty()) return std::nullopt;
  return all.back();
}

std::vector<std::string> ArgReader::values(const std::string& name) {
  std::vector<std::string> out;
  // Reading a flag again gives the same values (account edit reads the settings flags twice).
  for (size_t i = 0; i < args_.size(); ++i) {
    if (is_value_[i]) continue;
    if (args_[i] == name) {
      used_[i] = true;
      if (i + 1 >= args_.size() || (used_[i + 1] && !is_value_[i + 1])) {
        if (!error_) error_ = name + " needs a value";
        continue;
      }
      used_[i + 1] = is_value_[i + 1] = true;
      out.push_back(args_[++i]);
    } else if (args_[i].starts_with(name + "=")) {
      used_[i] = true;
      out.push_back(args_[i].substr(name.size() + 1));
    }
  }
  return out;
}

std::vector<std::string> ArgReader::positionals() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < args_.size(); ++i)
    if (!used_[i] && !args_[i].starts_with("--")) out.push_back(args_[i]);
  return out;
}

Result<void> ArgReader::finish() const {
  if (error_) return fail("usage", *error_);
  for (size_t i = 0; i < args_.size(); ++i)
    if (!used_[i] && args_[i].starts_with("--")) return fail("usage", "unknown option " + args_[i]);
  return {};
}

}  // namespace md::cli

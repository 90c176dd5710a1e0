#include "oauth/browser.h"

#include "platform/process.h"

namespace md::oauth {

Result<std::vector<std::string>> split_command(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  enum { none, single, dbl } quote = none;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote == single) {
      if (c == '\'') {
        quote = none;
      } else {
        word += c;
      }
    } else if (quote == dbl) {
      if (c == '"') {
        quote = none;
      } else if (c == '\\' && i + 1 < command.size() && (command[i + 1] == '"' || command[i + 1] == '\\')) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      quote = single;
      in_word = true;
    } else if (c == '"') {
      quote = dbl;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != none)
    return fail("accounts.invalid", "The browser command has an unterminated quote: " + std::string(command));
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<BrowserCommand> choose_browser(const std::optional<std::string>& flag, const EnvLookup& env, Platform platform) {
  auto from = [&](const std::string& text, const std::string& source) -> Result<BrowserCommand> {
    auto words = split_command(text);
    if (!words) return words.failure();
    if (words.value().empty()) return fail("accounts.invalid", source + " names no program.");
    return BrowserCommand{std::move(words).value(), source};
  };
  auto non_empty = [](const std::optional<std::string>& v) {
    return v && v->find_first_not_of(" \t") != std::string::npos;
  };

  if (non_empty(flag)) return from(*flag, "--browser");
  if (env) {
    if (auto v = env("MAILDOCTOR_BROWSER"); non_empty(v)) return from(*v, "MAILDOCTOR_BROWSER");
    if (auto v = env("BROWSER"); non_empty(v)) {
      // BROWSER is a ':'-separated list of commands to try in order; we take the first.
      std::string first = *v;
      if (platform != Platform::windows) {
        size_t start = first.find_first_not_of(':');
        first = start == std::string::npos ? std::string() : first.substr(start, first.find(':', start) - start);
      }
      if (non_empty(first)) return from(first, "BROWSER");
    }
  }
  switch (platform) {
    case Platform::linux_like: return BrowserCommand{{"xdg-open"}, "platform"};
    case Platform::macos: return BrowserCommand{{"open"}, "platform"};
    case Platform::windows: return BrowserCommand{{}, "platform"};
  }
  return BrowserCommand{{"xdg-open"}, "platform"};
}

std::vector<std::string> browser_argv(const BrowserCommand& cmd, const std::string& url) {
  std::vector<std::string> argv;
  for (const auto& w : cmd.argv)
    if (w != "%s") argv.push_back(w);
  argv.push_back(url);
  return argv;
}

Result<void> launch_browser(const BrowserCommand& cmd, const std::string& url) {
  if (cmd.argv.empty()) {
    // The user's default browser through the desktop's URL association (Windows: ShellExecute).
    auto opened = platform::open_url_with_default(url);
    if (!opened) return fail("oauth.browser_failed", opened.failure().detail);
    return {};
  }
  std::vector<std::string> argv = browser_argv(cmd, url);
  auto started = platform::spawn_detached(argv);
  if (!started)
    return fail("oauth.browser_failed", "Could not start the browser \"" + argv[0] + "\" (from " + cmd.source +
                                            "): " + started.failure().detail + ".");
  return {};
}

}  // namespace md::oauth

// Choosing and starting the browser: command splitting, the precedence of --browser and the
// environment, the URL as the last argument, and one real launch of /bin/true.
#include <doctest/doctest.h>

#include <map>

#include "oauth/browser.h"

using namespace md::oauth;
using md::Platform;

namespace {

md::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> words(std::string_view s) {
  auto r = split_command(s);
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("oauth: browser commands split on spaces, honouring quotes") {
  CHECK(words("firefox") == std::vector<std::string>{"firefox"});
  CHECK(words("  firefox   --new-window  ") == std::vector<std::string>{"firefox", "--new-window"});
  CHECK(words("'/opt/My Browser/bin' --flag") == std::vector<std::string>{"/opt/My Browser/bin", "--flag"});
  CHECK(words(R"("C:\Program Files\x.exe" -a)") == std::vector<std::string>{R"(C:\Program Files\x.exe)", "-a"});
  CHECK(words(R"(echo "say \"hi\"" 'it''s')") == std::vector<std::string>{"echo", "say \"hi\"", "its"});
  CHECK(words(R"(a\ b c)") == std::vector<std::string>{"a b", "c"});
  CHECK(words("x '' y") == std::vector<std::string>{"x", "", "y"});
  CHECK(words("chromium;rm -rf /") == std::vector<std::string>{"chromium;rm", "-rf", "/"});  // no shell, no meaning
  CHECK(words("").empty());
  CHECK_FALSE(split_command("firefox 'unterminated").ok());
  CHECK(split_command("firefox \"open").failure().code == "accounts.invalid");
}

TEST_CASE("oauth: browser choice: --browser, then MAILDOCTOR_BROWSER, then BROWSER, then the platform") {
  auto all = env_of({{"MAILDOCTOR_BROWSER", "md-browser --private"}, {"BROWSER", "env-browser"}});
  auto flag = choose_browser(std::string("flag-browser -x"), all, Platform::linux_like);
  REQUIRE(flag.ok());
  CHECK(flag.value().argv == std::vector<std::string>{"flag-browser", "-x"});
  CHECK(flag.value().source == "--browser");

  auto md = choose_browser(std::nullopt, all, Platform::linux_like);
  CHECK(md.value().argv == std::vector<std::string>{"md-browser", "--private"});
  CHECK(md.value().source == "MAILDOCTOR_BROWSER");

  auto browser = choose_browser(std::string("  "), env_of({{"MAILDOCTOR_BROWSER", ""}, {"BROWSER", "lynx:w3m"}}),
                                Platform::linux_like);
  CHECK(browser.value().argv == std::vector<std::string>{"lynx"});  // BROWSER's first entry
  CHECK(browser.value().source == "BROWSER");

  auto none = env_of({});
  CHECK(choose_browser(std::nullopt, none, Platform::linux_like).value().argv == std::vector<std::string>{"xdg-open"});
  CHECK(choose_browser(std::nullopt, none, Platform::macos).value().argv == std::vector<std::string>{"open"});
  CHECK(choose_browser(std::nullopt, none, Platform::windows).value().argv.empty());  // ShellExecute
  CHECK(choose_browser(std::nullopt, nullptr, Platform::linux_like).value().source == "platform");
}

TEST_CASE("oauth: the URL is the last argument, passed as one word") {
  const std::string url = "https://idp.example.test/auth?a=1&b=2 3;$(reboot)";
  BrowserCommand cmd{{"firefox", "--new-window"}, "--browser"};
  CHECK(browser_argv(cmd, url) == std::vector<std::string>{"firefox", "--new-window", url});
  BrowserCommand placeholder{{"firefox", "%s", "--x"}, "BROWSER"};
  CHECK(browser_argv(placeholder, url) == std::vector<std::string>{"firefox", "--x", url});
}

TEST_CASE("oauth: launching /bin/true works, a missing program is oauth.browser_failed") {
  CHECK(launch_browser(BrowserCommand{{"/bin/true"}, "--browser"}, "https://idp.example.test/auth").ok());
  auto missing = launch_browser(BrowserCommand{{"/nonexistent/maildoctor-browser"}, "--browser"}, "https://x.test/");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.failure().code == "oauth.browser_failed");
  CHECK(missing.failure().detail.find("/nonexistent/maildoctor-browser") != std::string::npos);
}

// maildoctor: the command line twin and the window, on one core. Parses the global options, then
// runs a CLI command or opens the window.
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/run.h"
#include "cli/usage.h"
#include "platform/console.h"

#if MAILDOCTOR_WITH_GUI
#include "gui.h"
#endif

int main(int argc, char** argv) {
  md::platform::prepare_console();  // Windows: UTF-8 console, binary stdout, the parent's console
  std::vector<std::string> argv_list(argv + 1, argv + argc);
  auto parsed = md::cli::parse_global(argv_list);
  if (!parsed) {
    std::cerr << "maildoctor: " << parsed.failure().detail << "\n";
    return md::cli::kExitUsage;
  }
  const md::cli::GlobalArgs& args = parsed.value();
  if (args.help) {
    std::cout << md::cli::help_text();
    return md::cli::kExitOk;
  }
  if (args.version) {
#if MAILDOCTOR_WITH_GUI
    std::cout << md::cli::version_text(md::gui::library_versions());
#else
    std::cout << md::cli::version_text();
#endif
    return md::cli::kExitOk;
  }
  if (!args.command.empty()) return md::cli::run_command(args, std::cin, std::cout, std::cerr);
#if MAILDOCTOR_WITH_GUI
  return md::gui::run(args.data_dir);
#else
  std::cerr << "maildoctor: this build has no window; see maildoctor --help for the commands\n";
  return md::cli::kExitUsage;
#endif
}

// maildoctor_docgen: writes the documents that must never drift from the code, from the code's own
// tables. The man page maildoctor(1) and the bash completion come from the --help table
// (cli::command_usage() and cli::help_text()); docs/failure-codes.md comes from the explain
// catalogue and the server-words matchers. The build runs it (packaging/CMakeLists.txt) and a test
// fails when the committed docs/failure-codes.md differs from what it writes.
//
//   maildoctor_docgen man|bash-completion|failure-codes|codes [--out FILE]
#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/usage.h"
#include "datadir.h"
#include "diagnostics/catalogue.h"
#include "diagnostics/matchers.h"
#include "version.h"

namespace {

// ---------------------------------------------------------------------------------------------
// Reading the --help table and text
// ---------------------------------------------------------------------------------------------

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(' ');
  return std::string(s.substr(b, e - b + 1));
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string strip_brackets(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '[' && c != ']') out += c;
  return out;
}

struct Flag {
  std::string name;   // "--provider"
  std::string value;  // its placeholder as written ("gmail|microsoft|custom", "DIR"); empty: a switch
};

// One row of the --help table, read the way a person reads the synopsis.
struct ParsedCommand {
  std::vector<std::string> words;        // the command as typed: "account", "add"
  std::vector<std::string> positionals;  // "NAME", "USER"
  std::vector<Flag> flags;
  const md::cli::CommandUsage* usage = nullptr;
  std::string key() const {
    std::string k;
    for (const std::string& w : words) k += (k.empty() ? "" : " ") + w;
    return k;
  }
};

// "[--imap HOST:PORT]" is a flag with a value, "[--json]" a switch, "[--scope S]..." a repeatable
// flag, and "[--imap-security ...]" takes the same values as the flag before it (per protocol).
ParsedCommand parse_command(const md::cli::CommandUsage& usage) {
  ParsedCommand out;
  out.usage = &usage;
  std::optional<std::string> fixed_flag;  // "check --provider": the flag is part of the name
  for (const std::string& w : split(usage.name, ' ')) {
    if (starts_with(w, "--"))
      fixed_flag = w;
    else
      out.words.push_back(w);
  }
  std::vector<std::string> raw;
  for (const std::string& t : split(usage.synopsis, ' '))
    if (!t.empty()) raw.push_back(t);
  size_t i = 0;
  if (fixed_flag) {
    out.flags.push_back({*fixed_flag, raw.empty() ? std::string() : strip_brackets(raw[0])});
    i = raw.empty() ? 0 : 1;
  }
  for (; i < raw.size(); ++i) {
    std::string token = strip_brackets(raw[i]);
    if (token.empty() || token == "|" || token == "...") continue;
    if (!starts_with(token, "--")) {
      if (out.flags.empty()) out.positionals.push_back(token);
      continue;
    }
    Flag flag{token, ""};
    bool closed = ends_with(raw[i], "]");
    if (!closed && i + 1 < raw.size()) {
      std::string next = strip_brackets(raw[i + 1]);
      if (!next.empty() && next != "|" && !starts_with(next, "-") && !starts_with(raw[i + 1], "[")) {
        if (next == "...") {
          // Same values as the flag before (e.g. --imap-security after --security).
          flag.value = out.flags.empty() ? std::string() : out.flags.back().value;
          if (flag.value.empty()) flag.value = "VALUE";
        } else {
          if (ends_with(next, "...")) next.resize(next.size() - 3);  // repeatable
          flag.value = next;
        }
        ++i;
      }
    }
    out.flags.push_back(flag);
  }
  return out;
}

std::vector<ParsedCommand> parsed_commands() {
  std::vector<ParsedCommand> out;
  for (const md::cli::CommandUsage& u : md::cli::command_usage()) out.push_back(parse_command(u));
  return out;
}

struct HelpOption {
  std::string spec;  // "--data-dir DIR"
  std::string text;
};

// The parts of help_text() that are prose rather than table: the tagline, the global options and
// the exit codes. The generator stops the build when their shape changes, rather than guess.
struct HelpProse {
  std::string tagline;
  std::vector<HelpOption> options;
  std::string exit_codes;
};

std::optional<HelpProse> read_help(std::string& error) {
  const std::string help = md::cli::help_text();
  std::vector<std::string> lines = split(help, '\n');
  HelpProse out;
  size_t dash = lines.empty() ? std::string::npos : lines[0].find(" - ");
  if (dash == std::string::npos) {
    error = "help_text()'s first line has no ' - ' before the tagline";
    return std::nullopt;
  }
  out.tagline = lines[0].substr(dash + 3);
  bool in_options = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line == "Options:") {
      in_options = true;
      continue;
    }
    if (in_options) {
      if (line.empty()) {
        in_options = false;
        continue;
      }
      if (starts_with(line, "  --")) {
        size_t gap = line.find("  ", 2);
        if (gap == std::string::npos) {
          error = "cannot split the option line: " + line;
          return std::nullopt;
        }
        out.options.push_back({trim(line.substr(2, gap - 2)), trim(line.substr(gap))});
      } else if (!out.options.empty()) {
        out.options.back().text += " " + trim(line);
      }
      continue;
    }
    if (starts_with(line, "Exit codes:")) {
      std::string text = trim(line.substr(11));
      for (size_t j = i + 1; j < lines.size() && !lines[j].empty(); ++j) text += " " + trim(lines[j]);
      out.exit_codes = text;
    }
  }
  if (out.options.empty() || out.exit_codes.empty()) {
    error = "help_text() has no 'Options:' section or no 'Exit codes:' paragraph";
    return std::nullopt;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// man page (troff, man macros)
// ---------------------------------------------------------------------------------------------

// Escapes text for troff: backslashes, and a control character at the start of a line.
std::string roff(std::string_view s, bool minus_signs = false) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-' && minus_signs)
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

// Prose may mention options ("--data-dir"): their dashes are minus signs, a word's hyphen is not.
std::string roff_prose(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    bool word_start = i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '-';
    if (s[i] == '-' && word_start)
      out += "\\-";
    else if (s[i] == '\\')
      out += "\\e";
    else
      out += s[i];
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == ',' || c == '/';
}

// Synopsis typography of man-pages(7): options and literal values bold, placeholders italic,
// brackets, bars and ellipses roman.
std::string roff_synopsis(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (!is_word_char(s[i])) {
      out += s[i] == '\\' ? std::string("\\e") : std::string(1, s[i]);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_word_char(s[j])) ++j;
    std::string_view word = s.substr(i, j - i);
    bool placeholder = !starts_with(word, "-");
    bool has_letter = false;
    for (char c : word) {
      if (std::islower(static_cast<unsigned char>(c))) placeholder = false;
      if (std::isalpha(static_cast<unsigned char>(c))) has_letter = true;
    }
    placeholder = placeholder && has_letter;
    out += (placeholder ? "\\fI" : "\\fB") + roff(word, true) + "\\fR";
    i = j;
  }
  return out;
}

std::string man_page(const HelpProse& help) {
  md::DataLayout layout{"DIR"};
  std::ostringstream o;
  o << ".\\\" Generated by maildoctor_docgen from the --help table (cli/usage.cpp): do not edit.\n"
    << ".TH MAILDOCTOR 1 \"\" \"MailDoctor " MAILDOCTOR_VERSION "\" \"User Commands\"\n"
    << ".\\\" Left-aligned and unhyphenated: commands and options must read exactly as typed.\n.ad l\n.nh\n"
    << ".SH NAME\n"
    << "maildoctor \\- " << roff(help.tagline) << "\n"
    << ".SH SYNOPSIS\n"
    << ".B maildoctor\n.RB [ \\-\\-data\\-dir\n.IR DIR ]\n.br\n"
    << ".B maildoctor\n.RB [ \\-\\-data\\-dir\n.IR DIR ]\n.I command\n.RI [ arguments ...]\n.br\n"
    << ".B maildoctor\n.BR \\-\\-help \" | \" \\-\\-version\n"
    << ".SH DESCRIPTION\n"
    << "MailDoctor gets email accounts that sign in with OAuth 2.0 (Gmail, Microsoft 365, Outlook.com) or\n"
    << "with a password working over IMAP, POP3 and SMTP, and finds out why they stopped working.\n"
    << "Every failed step names a stable failure code with the reason and the remedy.\n"
    << ".PP\n"
    << "Without a command,\n.B maildoctor\n"
    << "opens its window: the accounts beside live diagnostics.\n"
    << "With a command, it runs that command in the terminal and exits.\n"
    << "A command that is part of the command-line contract but whose feature has not landed in this build\n"
    << "says so and exits with status 2.\n"
    << ".SH COMMANDS\n";
  for (const md::cli::CommandUsage& c : md::cli::command_usage()) {
    o << ".TP\n" << roff_synopsis(c.name);
    if (!c.synopsis.empty()) o << " " << roff_synopsis(c.synopsis);
    o << "\n" << roff_prose(c.summary) << ".\n";
  }
  o << ".SH OPTIONS\n";
  for (const HelpOption& opt : help.options)
    o << ".TP\n" << roff_synopsis(opt.spec) << "\n" << roff_prose(opt.text) << "\n";
  o << ".SH EXIT STATUS\n" << roff_prose(help.exit_codes) << "\n";
  o << ".SH ENVIRONMENT\n"
    << ".TP\n.B MAILDOCTOR_HOME\nThe data directory, when \\fB\\-\\-data\\-dir\\fR is not given.\n"
    << ".TP\n.B XDG_DATA_HOME\nWithout either, the data directory is \\fI$XDG_DATA_HOME/maildoctor\\fR, "
       "else \\fI~/.local/share/maildoctor\\fR.\n"
    << ".TP\n.BR MAILDOCTOR_BROWSER \", \" BROWSER\n"
       "The browser command for signing in (after \\fB\\-\\-browser\\fR); it gets the sign-in address as its "
       "last argument. Without any, the desktop's opener is used.\n"
    << ".TP\n.BR HTTPS_PROXY \", \" ALL_PROXY \", \" NO_PROXY\nThe proxy for the sign-in servers, as for "
       "other programs built on libcurl.\n"
    << ".TP\n.B MAILDOCTOR_KEY_STORE\n"
       "\\fBfile\\fR keeps the vault's key in the key file and never asks the desktop keyring (Secret "
       "Service); unset, the key is kept in the keyring where a session bus with one answers.\n"
    << ".TP\n.B MAILDOCTOR_KEYRING_TIMEOUT_MS\n"
       "How long one call to the keyring may take, unlock prompt included (default 10000).\n";
  o << ".SH FILES\n"
    << "In the data directory \\fIDIR\\fR (created readable by its owner only):\n"
    << ".TP\n.I " << roff(layout.database().generic_string()) << "\n"
    << "Accounts, token state, mailbox counters, admins and the audit log (SQLite).\n"
    << "Tokens and passwords in it are encrypted.\n"
    << ".TP\n.I " << roff(layout.vault_key().generic_string()) << "\n"
    << "The key that encrypts them (mode 0600); on a Linux desktop only a note that the key is kept in the "
       "keyring (Secret Service). Without the key, every account must sign in again.\n"
    << ".TP\n.I " << roff(layout.logs_dir().generic_string()) << "/\n"
    << "Protocol logs, secrets redacted.\n"
    << ".TP\n.I " << roff(layout.imgui_ini().generic_string()) << "\n"
    << "The window's layout.\n";
  o << ".SH SEE ALSO\n"
    << "The user guide and the failure codes: \\fI/usr/share/doc/maildoctor/user-guide.md\\fR,\n"
    << "\\fI/usr/share/doc/maildoctor/failure-codes.md\\fR.\n";
  return o.str();
}

// ---------------------------------------------------------------------------------------------
// bash completion
// ---------------------------------------------------------------------------------------------

// What completes a flag's value, from its placeholder: a|b|c choices, a,b,c a comma list, files,
// folders, commands, or nothing (free text such as ADDR or N).
std::string value_kind(const std::string& placeholder) {
  if (placeholder.find('|') != std::string::npos) {
    std::string words;
    for (const std::string& w : split(placeholder, '|')) words += (words.empty() ? "" : " ") + w;
    return "choices " + words;
  }
  if (placeholder.find(',') != std::string::npos) {
    std::string words;
    for (const std::string& w : split(placeholder, ',')) words += (words.empty() ? "" : " ") + w;
    return "list " + words;
  }
  if (placeholder == "FILE" || placeholder == "PEM") return "file";
  if (placeholder == "DIR") return "dir";
  if (placeholder == "CMD") return "command";
  return "text";
}

std::string bash_completion(const HelpProse& help) {
  std::vector<ParsedCommand> commands = parsed_commands();
  // Commands sharing their words ("check NAME" and "check --provider") complete as one.
  std::map<std::string, std::vector<Flag>> flags_by_key;
  std::map<std::string, std::string> positional_by_key;
  std::vector<std::string> keys;
  std::vector<std::string> first_words;
  std::map<std::string, std::vector<std::string>> subcommands;
  std::set<std::string> command_flags;
  for (const ParsedCommand& c : commands) {
    std::string key = c.key();
    if (!flags_by_key.count(key)) keys.push_back(key);
    auto& flags = flags_by_key[key];
    for (const Flag& f : c.flags) {
      command_flags.insert(f.name);
      bool seen = false;
      for (const Flag& g : flags) seen = seen || g.name == f.name;
      if (!seen) flags.push_back(f);
    }
    if (!c.positionals.empty() && !positional_by_key.count(key)) positional_by_key[key] = c.positionals.front();
    const std::string& first = c.words.front();
    bool known = false;
    for (const std::string& w : first_words) known = known || w == first;
    if (!known) first_words.push_back(first);
    if (c.words.size() > 1) subcommands[first].push_back(c.words[1]);
  }
  // Global options: those of the help text's Options section that belong to no command.
  std::vector<Flag> globals;
  for (const HelpOption& opt : help.options) {
    std::vector<std::string> parts = split(opt.spec, ' ');
    if (command_flags.count(parts[0])) continue;
    globals.push_back({parts[0], parts.size() > 1 ? parts[1] : std::string()});
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& w : v) s += (s.empty() ? "" : " ") + w;
    return s;
  };
  md::DataLayout layout{""};
  std::ostringstream o;
  o << "# bash completion for maildoctor(1).\n"
    << "# Generated by maildoctor_docgen from the --help table (cli/usage.cpp): do not edit.\n\n"
    << "# Account names, read only from a data directory that already has a database: pressing Tab\n"
    << "# must never create one. The directory is chosen as maildoctor chooses it.\n"
    << "_maildoctor_accounts() {\n"
    << "  local bin=$1 dir=$2\n"
    << "  [ -n \"$dir\" ] || dir=${MAILDOCTOR_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/maildoctor}\n"
    << "  [ -f \"$dir/" << layout.database().filename().string() << "\" ] || return 0\n"
    << "  \"$bin\" --data-dir \"$dir\" account list --json 2>/dev/null |\n"
    << "    grep -o '\"name\": *\"[^\"]*\"' | sed 's/.*\"\\([^\"]*\\)\"$/\\1/'\n"
    << "}\n\n"
    << "# What a flag's value completes to (choices, a comma list, file, dir, command, text);\n"
    << "# fails for a switch. $1: the command, $2: the flag.\n"
    << "_maildoctor_value() {\n"
    << "  case \"$1 $2\" in\n";
  for (const Flag& g : globals)
    if (!g.value.empty()) o << "    \" " << g.name << "\") echo \"" << value_kind(g.value) << "\" ;;\n";
  for (const std::string& key : keys)
    for (const Flag& f : flags_by_key[key])
      if (!f.value.empty()) o << "    \"" << key << " " << f.name << "\") echo \"" << value_kind(f.value) << "\" ;;\n";
  o << "    *) return 1 ;;\n"
    << "  esac\n"
    << "}\n\n"
    << "_maildoctor_flags() {\n"
    << "  case $1 in\n";
  for (const std::string& key : keys) {
    std::vector<std::string> names;
    for (const Flag& f : flags_by_key[key]) names.push_back(f.name);
    o << "    \"" << key << "\") echo \"" << join(names) << "\" ;;\n";
  }
  o << "  esac\n"
    << "}\n\n"
    << "# The first positional argument of a command: NAME is an account.\n"
    << "_maildoctor_positional() {\n"
    << "  case $1 in\n";
  for (const std::string& key : keys) {
    // "account add NAME" names a new account: offering the existing ones would only mislead.
    if (!positional_by_key.count(key) || ends_with(key, " add")) continue;
    o << "    \"" << key << "\") echo " << positional_by_key[key] << " ;;\n";
  }
  o << "  esac\n"
    << "}\n\n"
    << "_maildoctor() {\n"
    << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
    << "  local bin=${COMP_WORDS[0]} cmd='' datadir='' npos=0 i word kind\n"
    << "  COMPREPLY=()\n"
    << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    << "    word=${COMP_WORDS[i]}\n"
    << "    if [ -z \"$cmd\" ]; then\n"
    << "      case $word in\n"
    << "        --data-dir) datadir=${COMP_WORDS[i + 1]}; i=$((i + 1)) ;;\n"
    << "        -*) ;;\n"
    << "        *) cmd=$word ;;\n"
    << "      esac\n"
    << "      continue\n"
    << "    fi\n"
    << "    case \"$cmd\" in\n";
  for (const auto& [group, subs] : subcommands)
    o << "      " << group << ") case $word in -*) ;; *) cmd=\"$cmd $word\"; continue ;; esac ;;\n";
  o << "    esac\n"
    << "    if _maildoctor_value \"$cmd\" \"$word\" >/dev/null; then i=$((i + 1)); continue; fi\n"
    << "    case $word in -*) ;; *) npos=$((npos + 1)) ;; esac\n"
    << "  done\n"
    << "  if kind=$(_maildoctor_value \"$cmd\" \"$prev\"); then\n"
    << "    case $kind in\n"
    << "      choices\\ *) mapfile -t COMPREPLY < <(compgen -W \"${kind#choices }\" -- \"$cur\") ;;\n"
    << "      list\\ *)\n"
    << "        local head=''\n"
    << "        case $cur in *,*) head=${cur%,*}, ;; esac\n"
    << "        mapfile -t COMPREPLY < <(compgen -P \"$head\" -W \"${kind#list }\" -- \"${cur##*,}\")\n"
    << "        compopt -o nospace 2>/dev/null ;;\n"
    << "      file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
    << "      dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- \"$cur\") ;;\n"
    << "      command) mapfile -t COMPREPLY < <(compgen -c -- \"$cur\") ;;\n"
    << "    esac\n"
    << "    return 0\n"
    << "  fi\n"
    << "  if [ -z \"$cmd\" ]; then\n"
    << "    case $cur in\n";
  std::vector<std::string> global_names;
  for (const Flag& g : globals) global_names.push_back(g.name);
  o << "      -*) mapfile -t COMPREPLY < <(compgen -W \"" << join(global_names) << "\" -- \"$cur\") ;;\n"
    << "      *) mapfile -t COMPREPLY < <(compgen -W \"" << join(first_words) << "\" -- \"$cur\") ;;\n"
    << "    esac\n"
    << "    return 0\n"
    << "  fi\n"
    << "  case $cmd in\n";
  for (const auto& [group, subs] : subcommands)
    o << "    " << group << ") mapfile -t COMPREPLY < <(compgen -W \"" << join(subs)
      << "\" -- \"$cur\"); return 0 ;;\n";
  o << "  esac\n"
    << "  case $cur in\n"
    << "    -*) mapfile -t COMPREPLY < <(compgen -W \"$(_maildoctor_flags \"$cmd\")\" -- \"$cur\") ;;\n"
    << "    *)\n"
    << "      if [ \"$npos\" -eq 0 ] && [ \"$(_maildoctor_positional \"$cmd\")\" = NAME ]; then\n"
    << "        mapfile -t COMPREPLY < <(compgen -W \"$(_maildoctor_accounts \"$bin\" \"$datadir\")\" -- \"$cur\")\n"
    << "      fi ;;\n"
    << "  esac\n"
    << "  return 0\n"
    << "}\n"
    << "complete -F _maildoctor maildoctor\n";
  return o.str();
}

// ---------------------------------------------------------------------------------------------
// docs/failure-codes.md
// ---------------------------------------------------------------------------------------------

// Catalogue prose into Markdown: "<port>" would vanish as an HTML tag, "*" would start emphasis.
std::string md_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '*')
      out += "\\*";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out;
}

// A code span inside a table cell: GitHub ends the cell at a bare "|", even between backticks.
std::string md_code(std::string_view s, bool in_table) {
  std::string body;
  for (char c : s) body += (c == '|' && in_table) ? std::string("\\|") : std::string(1, c);
  return body.find('`') == std::string::npos ? "`" + body + "`" : "`` " + body + " ``";
}

std::string group_title(std::string_view code) {
  std::string prefix(code.substr(0, code.find('.')));
  static const std::map<std::string, std::string> kGroups = {
      {"dns", "Network"},
      {"tcp", "Network"},
      {"proxy", "Network"},
      {"tls", "Secure connection (TLS)"},
      {"protocol", "Mail protocol"},
      {"auth", "Signing in to the mail server"},
      {"oauth", "OAuth 2.0 sign-in"},
      {"imap", "Mailbox and sending"},
      {"smtp", "Mailbox and sending"},
      {"sync", "Mailbox and sending"},
      {"clock", "Clock"},
      {"admin", "Admins and the download counter"},
      {"accounts", "MailDoctor's own data and usage"},
      {"vault", "MailDoctor's own data and usage"},
      {"store", "MailDoctor's own data and usage"},
      {"datadir", "MailDoctor's own data and usage"},
      {"log", "MailDoctor's own data and usage"},
      {"usage", "MailDoctor's own data and usage"},
  };
  auto it = kGroups.find(prefix);
  return it == kGroups.end() ? "Other" : it->second;
}

std::string protocol_name(const std::optional<md::diagnostics::MailProtocol>& p) {
  if (!p) return "any";
  switch (*p) {
    case md::diagnostics::MailProtocol::imap: return "IMAP";
    case md::diagnostics::MailProtocol::pop3: return "POP3";
    case md::diagnostics::MailProtocol::smtp: return "SMTP";
  }
  return "any";
}

std::string sign_in_name(const std::optional<md::diagnostics::SignIn>& s) {
  if (!s) return "any";
  return *s == md::diagnostics::SignIn::oauth2 ? "OAuth 2.0" : "password";
}

// Where match_failure() falls back to a code when the server sent a SASL error challenge and no
// row matched: asked of the function itself, so the document follows the code.
struct ChallengeRule {
  std::string code;
  std::vector<std::string> sign_ins;
};

std::vector<ChallengeRule> challenge_rules() {
  using md::diagnostics::MailProtocol;
  using md::diagnostics::SignIn;
  std::vector<ChallengeRule> out;
  for (SignIn s : {SignIn::oauth2, SignIn::password}) {
    std::optional<std::string> code;
    bool same_for_all = true;
    for (MailProtocol p : {MailProtocol::imap, MailProtocol::pop3, MailProtocol::smtp}) {
      md::diagnostics::ServerEvidence ev;
      ev.protocol = p;
      ev.sign_in = s;
      ev.challenge = "{\"status\":\"400\"}";
      auto r = md::diagnostics::match_failure(ev);
      if (!r) {
        same_for_all = false;
        continue;
      }
      if (code && *code != *r) same_for_all = false;
      code = r;
    }
    if (!code || !same_for_all) continue;
    bool merged = false;
    for (ChallengeRule& rule : out)
      if (rule.code == *code) {
        rule.sign_ins.push_back(sign_in_name(s));
        merged = true;
      }
    if (!merged) out.push_back({*code, {sign_in_name(s)}});
  }
  return out;
}

// "a password sign-in", "an OAuth 2.0 sign-in".
std::string with_article(const std::string& words) {
  return (words.empty() || std::string_view("AEIOUaeiou").find(words[0]) == std::string_view::npos ? "a " : "an ") +
         words;
}

constexpr std::string_view kChallengeExample =
    R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})";

std::string failure_codes_md() {
  const auto catalogue = md::diagnostics::catalogue();
  const auto matchers = md::diagnostics::matchers();
  const auto rules = challenge_rules();
  std::vector<std::string> groups;
  std::map<std::string, std::vector<const md::diagnostics::CatalogueEntry*>> by_group;
  for (const auto& e : catalogue) {
    std::string g = group_title(e.code);
    if (!by_group.count(g)) groups.push_back(g);
    by_group[g].push_back(&e);
  }
  auto link = [](std::string_view code) { return "[" + md_code(code, true) + "](#" + std::string(code) + ")"; };

  std::ostringstream o;
  o << "# Failure codes\n\n"
    << "<!-- Generated by maildoctor_docgen (tools/docgen.cpp) from core/diagnostics/catalogue.cpp and\n"
    << "     core/diagnostics/matchers.cpp. Do not edit: change those files, then run\n"
    << "     `cmake --build build --target update-docs` and commit the result. -->\n\n"
    << "Every red cross in MailDoctor names one of these codes: in the window, in `maildoctor check`, in\n"
    << "the `failure.code` of `--json` output, and in support reports. Look the code up here for what\n"
    << "happened and what to do. The window and the command line show the same words, plus the evidence:\n"
    << "the server's own reply.\n\n"
    << "Codes are stable: once shipped, a code never changes meaning; new codes are added.\n\n"
    << "Where a code comes from a mail server's reply, MailDoctor reads the structure the protocol gives\n"
    << "first: an SMTP 4xx reply is transient whatever its words; then a provider's own words where one\n"
    << "code carries several causes (**Server texts** below, in the order of the\n"
    << "[table at the end](#server-texts-in-match-order), ignoring case; the first row that matches wins);\n"
    << "then the IMAP response code in brackets (RFC 5530), the POP3 extended code (RFC 2449 / 3206) or\n"
    << "the SMTP reply and enhanced status codes (RFC 3463 / 5248), read with the step where the refusal\n"
    << "came; last, the plain words of a refused sign-in from servers that give no code.\n\n"
    << "## Contents\n\n";
  for (const std::string& g : groups) {
    o << "- **" << g << ":** ";
    bool first = true;
    for (const auto* e : by_group[g]) {
      o << (first ? "" : ", ") << "[`" << e->code << "`](#" << e->code << ")";
      first = false;
    }
    o << "\n";
  }
  for (const std::string& g : groups) {
    o << "\n## " << g << "\n";
    for (const auto* e : by_group[g]) {
      o << "\n<a id=\"" << e->code << "\"></a>\n\n"
        << "### `" << e->code << "`: " << md_text(e->title) << "\n\n"
        << "**What happened.** " << md_text(e->reason) << "\n\n"
        << "**What to do.** " << md_text(e->remedy) << "\n";
      std::vector<std::string> texts;
      for (const auto& m : matchers) {
        if (m.code != e->code) continue;
        std::string where;
        if (m.protocol) where += protocol_name(m.protocol);
        if (m.sign_in) where += (where.empty() ? "" : ", ") + sign_in_name(m.sign_in) + " accounts";
        texts.push_back(md_code(m.needle, false) + (where.empty() ? "" : " (" + where + ")"));
      }
      for (const ChallengeRule& r : rules) {
        if (r.code != e->code) continue;
        std::string who;
        for (const std::string& s : r.sign_ins) who += (who.empty() ? "" : " or ") + s;
        texts.push_back("a SASL error challenge to " + with_article(who) + " sign-in (base64 JSON such as Gmail's " +
                        md_code(kChallengeExample, false) + "), when no text above matched");
      }
      if (!texts.empty()) {
        o << "\n**Server texts:**\n\n";
        for (const std::string& t : texts) o << "- " << t << "\n";
      }
    }
  }
  o << "\n## Server texts in match order\n\n"
    << "The whole table, most specific first. \"any\" matches every protocol or every kind of sign-in.\n\n"
    << "| # | Protocol | Sign-in | The reply contains | Code |\n"
    << "|---|---|---|---|---|\n";
  int n = 0;
  for (const auto& m : matchers) {
    // "(credentials)": the refused sign-in's own code, which depends on the account.
    const std::string code = m.code == "(credentials)"
                                 ? link("auth.token_rejected") + " (OAuth 2.0), else " + link("auth.bad_credentials") +
                                       " (" + link("auth.basic_auth_disabled") + " on Microsoft 365 IMAP and POP3)"
                                 : link(m.code);
    o << "| " << ++n << " | " << protocol_name(m.protocol) << " | " << sign_in_name(m.sign_in) << " | "
      << md_code(m.needle, true) << " | " << code << " |\n";
  }
  for (const ChallengeRule& r : rules) {
    std::string who;
    for (const std::string& s : r.sign_ins) who += (who.empty() ? "" : " or ") + s;
    o << "\nWhen no row matches and the server sent a SASL error challenge to " << with_article(who)
      << " sign-in, the code is " << link(r.code) << ".\n";
  }
  return o.str();
}

std::string codes_list() {
  std::string out;
  for (const auto& e : md::diagnostics::catalogue()) out += std::string(e.code) + "\n";
  return out;
}

int usage_error() {
  std::cerr << "usage: maildoctor_docgen man|bash-completion|failure-codes|codes [--out FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error();
  std::optional<std::string> out_file;
  if (args.size() == 3 && args[1] == "--out")
    out_file = args[2];
  else if (args.size() != 1)
    return usage_error();

  std::string error;
  std::optional<HelpProse> help = read_help(error);
  if (!help) {
    std::cerr << "maildoctor_docgen: " << error << "\n";
    return 1;
  }
  std::string text;
  if (args[0] == "man")
    text = man_page(*help);
  else if (args[0] == "bash-completion")
    text = bash_completion(*help);
  else if (args[0] == "failure-codes")
    text = failure_codes_md();
  else if (args[0] == "codes")
    text = codes_list();
  else
    return usage_error();

  if (!out_file) {
    std::cout << text;
    return std::cout ? 0 : 1;
  }
  std::ofstream f(*out_file, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::cerr << "maildoctor_docgen: cannot write " << *out_file << "\n";
    return 1;
  }
  return 0;
}

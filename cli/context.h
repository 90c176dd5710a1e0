// What every CLI command gets: its arguments, the streams, and the data dir opened on demand.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "datadir.h"
#include "net/http_client.h"
#include "protolog/protolog.h"
#include "result.h"
#include "store/database.h"

namespace md::cli {

class CommandContext {
 public:
  CommandContext(const GlobalArgs& global, std::vector<std::string> args, std::istream& in, std::ostream& out,
                 std::ostream& err)
      : global(global), args(std::move(args)), in(in), out(out), err(err) {}

  const GlobalArgs& global;
  ArgReader args;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool json = false;  // set by commands that accept --json, before any output

  // Resolves and prepares the data dir, opens and migrates the store. Cached.
  Result<DataLayout> layout();
  Result<store::Database*> database();

  // Prints a failure the way a person can act on it (title, reason, remedy, evidence) on stderr,
  // or as {"ok": false, "failure": {...}} on stdout with --json. Returns the exit code.
  int report(const Failure& failure);
  // Writes one JSON document to stdout.
  void emit(const nlohmann::json& doc);

  // Reads one line (a password, a secret) from stdin without echoing it anywhere.
  Result<std::string> read_secret_line(std::string_view what);

  // The protocol log of an account (persisted under the data dir's logs/), redacted at capture;
  // nullptr when the data dir is unusable (the command then fails on its own anyway).
  net::Transcript* transcript(const std::string& account);
  // From now on these never reach the log, even in a form the protocol patterns do not know.
  void protect_secret(std::string_view secret) { redactor_.add_secret(secret); }
  // Registers every secret saved for the account (password, client secret, tokens), so that text
  // shown or written from now on can be masked with masked() as a second line of defence. Fails
  // when the vault cannot be opened; nothing is registered then.
  Result<void> protect_account_secrets(store::Database& db, const std::string& account);
  // `text` with every registered secret (raw, base64, URL-encoded) replaced by <redacted>.
  std::string masked(std::string_view text) const { return redactor_.mask_secrets(text); }
  protolog::Redactor& redactor() { return redactor_; }

 private:
  std::optional<DataLayout> layout_;
  std::optional<store::Database> db_;
  protolog::Redactor redactor_;
  std::unique_ptr<protolog::ProtoLog> log_;
  std::unique_ptr<net::ProtoLogTranscript> transcript_;
};

// 2 for usage and configuration errors, 1 for everything else (DESIGN.md's exit codes).
int exit_code_for(const Failure& failure);
nlohmann::json failure_json(const Failure& failure);

}  // namespace md::cli

// ImapClient against a server that says whatever the fuzz bytes say: greeting, CAPABILITY,
// AUTHENTICATE (or LOGIN), SELECT or EXAMINE, a streaming UID FETCH with literals, NOOP, LOGOUT —
// the ladder's and the sync's steps in order, over a real (local) socket. The client's tags are
// A1, A2… in that order; the seeds answer them.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/imap_client.h"

using namespace md;
using namespace md::mail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the sign-in and the verb; the rest is the server's side.
  const uint8_t choice = data[0];
  fuzz::ScriptedServer server(fuzz::as_text(data + 1, size - 1));
  ImapClient client(server.connection());
  client.set_max_message_size(64 * 1024);

  auto greeting = client.read_greeting();
  if (!greeting) return 0;
  (void)client.capability();
  const sasl::Mechanism mechanisms[] = {sasl::Mechanism::xoauth2, sasl::Mechanism::oauthbearer, sasl::Mechanism::plain,
                                        sasl::Mechanism::login};
  sasl::Credentials credentials;
  credentials.user = std::string(fuzz::kUser);
  credentials.secret = std::string(fuzz::kSecret);
  credentials.host = "127.0.0.1";
  credentials.port = 993;
  auto auth = client.authenticate(mechanisms[choice & 3], credentials);
  if (!auth && !client.connection().is_open()) return 0;
  auto box = (choice & 4) ? client.examine("INBOX") : client.select("INBOX");
  if (!box && !client.connection().is_open()) return 0;
  uint64_t seen = 0;
  (void)client.uid_fetch("1:*", "(UID RFC822.SIZE FLAGS INTERNALDATE BODY.PEEK[])",
                         [&](imap::FetchedMessage& m) -> Result<void> {
                           for (const auto& s : m.sections) seen += s.bytes ? s.bytes->size() : 0;
                           // Every byte handed over came from the server: more than it sent is a bug.
                           if (seen > size) std::abort();
                           return {};
                         });
  if (!client.connection().is_open()) return 0;
  (void)client.command("NOOP", [](std::string_view line) { (void)line.size(); });
  (void)client.logout();
  return 0;
}

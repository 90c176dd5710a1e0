// Pop3Client against a server that says whatever the fuzz bytes say: greeting, CAPA, AUTH (or
// USER/PASS), STAT, UIDL, RETR and pipelined RETRs, QUIT — over a real (local) socket.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/pop3_client.h"

using namespace md;
using namespace md::mail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the sign-in; the rest is the server's side.
  const uint8_t choice = data[0];
  fuzz::ScriptedServer server(fuzz::as_text(data + 1, size - 1));
  Pop3Client client(server.connection());
  auto open = [&] { return client.connection().is_open(); };

  auto greeting = client.read_greeting();
  if (!greeting) return 0;
  (void)client.capa();
  sasl::Credentials credentials;
  credentials.user = std::string(fuzz::kUser);
  credentials.secret = std::string(fuzz::kSecret);
  credentials.host = "127.0.0.1";
  credentials.port = 995;
  const sasl::Mechanism mechanisms[] = {sasl::Mechanism::xoauth2, sasl::Mechanism::oauthbearer, sasl::Mechanism::plain,
                                        sasl::Mechanism::login};
  if (choice & 8)
    (void)client.user_pass(credentials.user, credentials.secret);
  else
    (void)client.authenticate(mechanisms[choice & 3], credentials, (choice & 4) != 0);
  if (!open()) return 0;
  (void)client.stat();
  if (!open()) return 0;
  auto uids = client.uidl();
  if (uids)
    for (const Pop3Uid& u : uids.value())
      if (u.uid.empty() || u.uid.size() > 70) std::abort();  // RFC 1939's bounds, checked by uidl()
  if (!open()) return 0;
  (void)client.retr(1);
  if (!open()) return 0;
  uint64_t seen = 0;
  (void)client.retr_many({2, 3, 4}, 2, [&](uint32_t, std::string& message) -> Result<void> {
    seen += message.size();
    // Dot-unstuffing shortens and CRLF replaces LF: at most one byte added per line received.
    if (seen > 2 * size) std::abort();
    return {};
  });
  if (!open()) return 0;
  (void)client.quit();
  return 0;
}

// SmtpClient against a server that says whatever the fuzz bytes say: greeting, EHLO, AUTH with
// its 334 challenges, MAIL/RCPT/DATA of a test message, QUIT — over a real (local) socket.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "mail/smtp_client.h"

using namespace md;
using namespace md::mail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the sign-in; the rest is the server's side.
  const uint8_t choice = data[0];
  fuzz::ScriptedServer server(fuzz::as_text(data + 1, size - 1));
  SmtpClient client(server.connection());
  auto open = [&] { return client.connection().is_open(); };

  auto greeting = client.read_greeting();
  if (!greeting) return 0;
  auto ext = client.ehlo("maildoctor.localhost");
  if (!open()) return 0;
  sasl::Credentials credentials;
  credentials.user = std::string(fuzz::kUser);
  credentials.secret = std::string(fuzz::kSecret);
  credentials.host = "127.0.0.1";
  credentials.port = 587;
  const sasl::Mechanism mechanisms[] = {sasl::Mechanism::xoauth2, sasl::Mechanism::oauthbearer, sasl::Mechanism::plain,
                                        sasl::Mechanism::login};
  (void)client.authenticate(mechanisms[choice & 3], credentials);
  if (!open()) return 0;
  (void)client.send_message(credentials.user, {credentials.user},
                            "From: alice@example.com\r\nSubject: MailDoctor test\r\n\r\n.hello\r\n");
  if (!open()) return 0;
  (void)client.quit();
  return 0;
}

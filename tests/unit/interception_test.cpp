// The TLS-inspection products recognised in a certificate issuer's name.
#include <doctest/doctest.h>

#include "net/interception.h"
#include "platform/process.h"

using md::net::interception_product;

TEST_CASE("interception: antivirus and firewall roots are named from the issuer") {
  CHECK(interception_product("CN=Avast Web/Mail Shield Root,O=Avast") == "Avast");
  CHECK(interception_product("CN=AVG Web/Mail Shield Root,O=AVG Technologies") == "AVG");
  CHECK(interception_product("CN=Kaspersky Anti-Virus Personal Root Certificate") == "Kaspersky");
  CHECK(interception_product("CN=ESET SSL Filter CA") == "ESET");
  CHECK(interception_product("CN=Bitdefender Personal CA.Net-Defender") == "Bitdefender");
  CHECK(interception_product("CN=FortiGate CA,O=Fortinet") == "Fortinet (FortiGate)");
  CHECK(interception_product("CN=Zscaler Intermediate Root CA (zscaler.net)") == "Zscaler");
  CHECK(interception_product("CN=Sophos SSL CA_C1234") == "Sophos");
  CHECK(interception_product("CN=Palo Alto Networks Forward Trust") == "Palo Alto Networks");
}

TEST_CASE("interception: ordinary authorities and look-alike words are not products") {
  CHECK_FALSE(interception_product("CN=R3,O=Let's Encrypt,C=US"));
  CHECK_FALSE(interception_product("CN=GTS CA 1C3,O=Google Trust Services LLC,C=US"));
  CHECK_FALSE(interception_product("CN=Microsoft Azure TLS Issuing CA 05"));
  CHECK_FALSE(interception_product("CN=Reset Unit CA"));    // "eset" inside a word
  CHECK_FALSE(interception_product("CN=Savgold Mail CA"));  // "avg" inside a word
  CHECK_FALSE(interception_product(""));
}

TEST_CASE("platform: Windows command-line quoting keeps every argument whole") {
  using md::platform::quote_windows_argument;
  CHECK(quote_windows_argument("plain") == "plain");
  CHECK(quote_windows_argument("") == "\"\"");
  CHECK(quote_windows_argument("C:\\Program Files\\Browser\\b.exe") == "\"C:\\Program Files\\Browser\\b.exe\"");
  CHECK(quote_windows_argument("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(quote_windows_argument("ends with\\") == "\"ends with\\\\\"");
  CHECK(quote_windows_argument("https://x.test/a?b=1&c=2") == "https://x.test/a?b=1&c=2");
}

#include "net/interception.h"

#include <algorithm>
#include <cctype>

namespace md::net {
namespace {

// What to look for in the issuer's name, and the product to name. Data, not code: a reviewer adds
// a product in one line.
struct Product {
  std::string_view needle;  // lower case
  std::string_view name;
};
constexpr Product kProducts[] = {
    {"avast", "Avast"},
    {"avg ", "AVG"},
    {"avg technologies", "AVG"},
    {"kaspersky", "Kaspersky"},
    {"eset", "ESET"},
    {"bitdefender", "Bitdefender"},
    {"fortinet", "Fortinet (FortiGate)"},
    {"fortigate", "Fortinet (FortiGate)"},
    {"zscaler", "Zscaler"},
    {"sophos", "Sophos"},
    {"palo alto", "Palo Alto Networks"},
    {"norton", "Norton"},
    {"symantec web", "Symantec"},
    {"mcafee", "McAfee"},
    {"trend micro", "Trend Micro"},
    {"f-secure", "F-Secure"},
    {"gdata", "G DATA"},
    {"g data", "G DATA"},
    {"netskope", "Netskope"},
    {"cisco umbrella", "Cisco Umbrella"},
    {"checkpoint", "Check Point"},
    {"check point", "Check Point"},
    {"watchguard", "WatchGuard"},
    {"sonicwall", "SonicWall"},
    {"barracuda", "Barracuda"},
    {"blue coat", "Blue Coat"},
    {"forcepoint", "Forcepoint"},
    {"webroot", "Webroot"},
    {"mitmproxy", "mitmproxy"},
    {"fiddler", "Fiddler"},
    {"charles proxy", "Charles Proxy"},
};

bool word_start(const std::string& text, size_t pos) {
  return pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]));
}

}  // namespace

std::optional<std::string> interception_product(std::string_view issuer) {
  std::string text(issuer);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  text += ' ';  // so "avg " matches a name that ends the string
  for (const auto& p : kProducts) {
    for (size_t pos = text.find(p.needle); pos != std::string::npos; pos = text.find(p.needle, pos + 1))
      if (word_start(text, pos)) return std::string(p.name);
  }
  return std::nullopt;
}

}  // namespace md::net

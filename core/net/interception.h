// TLS inspection: antivirus suites and filtering firewalls decrypt mail and web traffic by issuing
// certificates of their own, from a root they install. When such a product's name is in the issuer
// of a certificate (or of its chain's top), the failure names the product: the remedy is in the
// product's settings, not at the mail provider.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace md::net {

// The product ("Avast", "Kaspersky", "Zscaler"...) whose name is in this issuer's distinguished
// name, if any. Case-insensitive, on word starts.
std::optional<std::string> interception_product(std::string_view issuer);

}  // namespace md::net

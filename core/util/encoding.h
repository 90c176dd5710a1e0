// Byte encodings used across the core: base64 (SASL, PKCE), URL encoding (forms, query strings).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace md::util {

std::string base64_encode(std::string_view bytes);
// Strict: nullopt for characters outside the alphabet or a bad length. Whitespace is not allowed.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode_unpadded(std::string_view bytes);
std::string url_encode(std::string_view text);
// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). What
// is stored as JSON must be: the JSON library refuses anything else.
bool valid_utf8(std::string_view text);

}  // namespace md::util

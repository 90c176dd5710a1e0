#include <doctest/doctest.h>

#include "util/encoding.h"
#include "util/text.h"

using namespace md::util;

TEST_CASE("encoding: base64 round-trips any bytes, RFC 4648 vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  std::string bytes("\x00\x01\xff\x10", 4);
  CHECK(base64_decode(base64_encode(bytes)) == bytes);
  CHECK(base64_decode("Zg==") == std::string("f"));
  CHECK(base64_decode("Zm8=") == std::string("fo"));
}

TEST_CASE("encoding: base64_decode refuses what is not base64") {
  CHECK_FALSE(base64_decode("Zg="));
  CHECK_FALSE(base64_decode("Z!=="));
  CHECK_FALSE(base64_decode(" Zg=="));
}

TEST_CASE("encoding: base64url without padding and URL encoding") {
  CHECK(base64url_encode_unpadded(std::string("\xfb\xff", 2)) == "-_8");
  CHECK(url_encode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9");
  CHECK(url_encode("AZaz09-._~") == "AZaz09-._~");
}

TEST_CASE("valid_utf8: well-formed text passes; stray, overlong, surrogate and too-large sequences do not") {
  using md::util::valid_utf8;
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("alice@example.com"));
  CHECK(valid_utf8("J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x93\xA7"));  // ü € 📧
  CHECK_FALSE(valid_utf8("a\xff"));
  CHECK_FALSE(valid_utf8("\x80"));
  CHECK_FALSE(valid_utf8("\xC3"));              // cut short
  CHECK_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(valid_utf8("\xC3\x28"));          // bad continuation
}

TEST_CASE("text: join puts the separator between the items only") {
  CHECK(join({}) == "");
  CHECK(join({"imap"}) == "imap");
  CHECK(join({"openid", "email", "https://mail.google.com/"}) == "openid email https://mail.google.com/");
  CHECK(join({"PLAIN", "", "XOAUTH2"}, ", ") == "PLAIN, , XOAUTH2");
  CHECK(join({"a", "b"}, "\n") == "a\nb");
}

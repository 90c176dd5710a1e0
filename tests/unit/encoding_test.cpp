#include <doctest/doctest.h>

#include "util/encoding.h"

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

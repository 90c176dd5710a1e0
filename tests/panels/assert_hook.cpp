// No <cassert> here: glibc declares __assert_fail noexcept in C++, and this one must throw.
#include "assert_hook.h"

#include <atomic>

namespace md::test {
namespace {
std::atomic<int> g_failed{0};
}
int failed_assertions() {
  return g_failed.load();
}
}  // namespace md::test

extern "C" [[noreturn]] void __assert_fail(const char* assertion, const char* file, unsigned int line,
                                           const char* function) {
  ++md::test::g_failed;
  throw md::test::AssertionFailed(std::string("assertion failed: ") + assertion + " at " + file + ":" +
                                  std::to_string(line) + " in " + function);
}

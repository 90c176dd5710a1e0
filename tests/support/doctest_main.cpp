// The doctest main of the unit, panels and Windows suites.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
#if !defined(_WIN32)
  // Never the desktop keyring of whoever runs the tests: the vault keeps its key file (CTest sets
  // this too; here for a run by hand).
  setenv("MAILDOCTOR_KEY_STORE", "file", 0);
#endif
  return doctest::Context(argc, argv).run();
}

// Debian's libimgui.a is prebuilt: its IM_ASSERT is the C assert() compiled in, so it cannot be
// redefined for this target. What can be replaced is where assert() lands: glibc's __assert_fail.
// This test binary defines its own, which turns any failed assertion (ImGui's included) into an
// exception the test reports, instead of an abort that hides which panel and state caused it.
#pragma once

#include <stdexcept>
#include <string>

namespace md::test {

struct AssertionFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How many assertions failed since the program started.
int failed_assertions();

}  // namespace md::test

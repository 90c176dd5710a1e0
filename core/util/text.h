// Small text helpers used across the core.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace md::util {

// The items with the separator between them: {"a", "b"} and ", " give "a, b".
std::string join(const std::vector<std::string>& items, std::string_view separator = " ");

}  // namespace md::util

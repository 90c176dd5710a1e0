// The settings table: small values a data dir keeps by key (the window's schedule and scale, each
// account's last check). No migration is needed for a new key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/database.h"

namespace md::store {

// nullopt when the key was never written. Throws store::Error.
std::optional<std::string> get_setting(Database& db, std::string_view key);
// Writes or replaces the value, in the caller's transaction if one is open. Throws store::Error.
void put_setting(Database& db, std::string_view key, std::string_view value);

// A whole number within [min, max]; nullopt when unset, not a number, or out of range.
std::optional<int> get_int_setting(Database& db, std::string_view key, int min, int max);

}  // namespace md::store

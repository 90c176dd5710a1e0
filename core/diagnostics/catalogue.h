// The explain catalogue: one row per failure code, with what a person in front of the screen needs
// — a title, the reason, the remedy. A data table a reviewer reads top to bottom (catalogue.cpp).
// Codes are stable: once shipped, an id never changes meaning.
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace md::diagnostics {

struct CatalogueEntry {
  std::string_view code;
  std::string_view title;   // short, for a table cell
  std::string_view reason;  // what happened, in the user's words
  std::string_view remedy;  // what to do now
};

std::span<const CatalogueEntry> catalogue();
// nullptr for a code not in the catalogue.
const CatalogueEntry* find_entry(std::string_view code);

// A failure ready to show: the catalogue's words plus the evidence (the failure's detail).
struct Explanation {
  std::string code;
  std::string title;
  std::string reason;
  std::string remedy;
  std::string detail;
};
Explanation explain(const Failure& failure);
// The failure as the --json documents and reports show it: code, title, reason, remedy, detail.
nlohmann::json failure_json(const Failure& failure);

}  // namespace md::diagnostics

#include "store/schema.h"

namespace md::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    )sql"},
};

}  // namespace

std::span<const Migration> schema() {
  return kMigrations;
}

}  // namespace md::store

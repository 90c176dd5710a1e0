#include "store/settings.h"

#include <charconv>

namespace md::store {

std::optional<std::string> get_setting(Database& db, std::string_view key) {
  auto st = db.prepare("SELECT value FROM settings WHERE key = ?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.column_text(0);
}

void put_setting(Database& db, std::string_view key, std::string_view value) {
  db.prepare("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

std::optional<int> get_int_setting(Database& db, std::string_view key, int min, int max) {
  const auto text = get_setting(db, key);
  if (!text) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace md::store

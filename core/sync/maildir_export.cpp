#include "sync/maildir_export.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "sync/message_store.h"

namespace md::sync {
namespace {

namespace fs = std::filesystem;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string base_name(const StoredMessage& m) {
  if (m.uid) return "maildoctor." + std::to_string(m.uidvalidity.value_or(0)) + "." + std::to_string(*m.uid);
  return "maildoctor.pop3." + hex(m.uidl.value_or(std::to_string(m.id)));
}

Failure export_failure(const fs::path& path, const std::string& what) {
  return fail("export.failed", "cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

Result<void> write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return export_failure(path, "create");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return export_failure(path, "write");
  return {};
}

}  // namespace

std::string maildir_info_flags(std::string_view imap_flags) {
  static const std::pair<std::string_view, char> kLetters[] = {
      {"\\Draft", 'D'}, {"\\Flagged", 'F'}, {"\\Answered", 'R'}, {"\\Seen", 'S'}, {"\\Deleted", 'T'}};
  std::string out;
  size_t pos = 0;
  while (pos < imap_flags.size()) {
    size_t end = imap_flags.find(' ', pos);
    std::string_view flag = imap_flags.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    for (const auto& [name, letter] : kLetters)
      if (flag.size() == name.size() && std::equal(flag.begin(), flag.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(b);
          }))
        out += letter;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<ExportSummary> export_maildir(store::Database& db, std::string_view account, const fs::path& dir) {
  std::error_code ec;
  for (const char* sub : {"cur", "new", "tmp"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) return fail("export.failed", "cannot create " + (dir / sub).string() + ": " + ec.message());
  }
  // Files of an earlier export, by their stable base name: replaced, never duplicated.
  std::map<std::string, fs::path> existing;
  for (const char* sub : {"cur", "new"}) {
    for (const fs::directory_entry& e : fs::directory_iterator(dir / sub, ec)) {
      std::string name = e.path().filename().string();
      if (name.starts_with("maildoctor.")) existing[name.substr(0, name.find(':'))] = e.path();
    }
    if (ec) return fail("export.failed", "cannot read " + (dir / sub).string() + ": " + ec.message());
  }
  ExportSummary summary;
  try {
    auto walked = for_each_message(db, account, [&](const StoredMessage& m) -> Result<void> {
      const std::string base = base_name(m);
      const fs::path tmp = dir / "tmp" / base;
      const fs::path target = dir / "cur" / (base + ":2," + maildir_info_flags(m.flags));
      if (auto w = write_file(tmp, m.raw); !w) return w;
      if (auto it = existing.find(base); it != existing.end() && it->second != target) fs::remove(it->second, ec);
      fs::rename(tmp, target, ec);
      if (ec)
        return fail("export.failed", "cannot move " + tmp.string() + " to " + target.string() + ": " + ec.message());
      ++summary.messages;
      summary.bytes += m.raw.size();
      return {};
    });
    if (!walked) return walked.failure();
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  return summary;
}

}  // namespace md::sync

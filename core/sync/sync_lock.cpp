#include "sync/sync_lock.h"

#include <string>

namespace md::sync {

Result<SyncLock> SyncLock::acquire(const std::filesystem::path& file) {
  auto got = platform::FileLock::acquire(file, std::to_string(platform::current_pid()) + "\n");
  if (got.busy)
    return fail("sync.busy", "another MailDoctor" +
                                 (got.holder.empty() ? std::string() : " (process " + got.holder + ")") +
                                 " is syncing this account right now; wait for it to finish and try again");
  if (!got.lock.held()) return fail("datadir.unusable", "cannot lock " + file.string() + ": " + got.error);
  return SyncLock(std::move(got.lock));
}

}  // namespace md::sync

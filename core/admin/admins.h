// Admin users (table `admins`): who may reset a mailbox's download counter. Owns adding, removing
// and re-passwording admins, signing an admin in (AdminSession), and the lockout after repeated
// wrong passwords. Every sign-in attempt and every change writes an audit row (audit.h) in the same
// transaction as the change it records. No password ever reaches the audit, a failure's detail or
// any log; only PBKDF2 hashes are stored (password.h).
//
// Rules (DESIGN.md: "wrong credentials change nothing; repeated failures lock the admin out for a
// growing delay"):
// - Unknown admin and wrong password give the same failure, admin.bad_credentials, with the same
//   detail, and take about as long (a dummy PBKDF2 runs when there is no hash to check). Attempts
//   with an unknown name are audited without the typed name (it may be a mistyped password).
// - Policy::max_failed_attempts (5) wrong passwords in a row lock the admin (admin.locked_out,
//   the detail says until when). The lock lasts first_lockout (30 s), doubling with every further
//   lockout (60 s, 120 s, ...) up to max_lockout (1 h). The failed-attempt counter restarts at 0
//   when a lock starts. The lock is a column of the row, so it survives restarts.
// - While locked, every attempt is refused with admin.locked_out without checking the password
//   (a right password too), and it does not extend the lock.
// - A successful sign-in (only possible when not locked) resets failed_attempts, the lock and the
//   lockout count: an attacker who never finds the password keeps the doubling; the real admin who
//   signs in after a lock expired starts from 30 s again.
// - Sign-in holds the database's write lock while hashing (about 0.3 s): concurrent attempts from
//   several processes are serialised, so parallel guessing gains nothing and counters never race.
// - A locked_until that cannot be read counts as locked (fail closed); another admin clears it by
//   setting a new password (change_password).
// - Adding, removing or re-passwording an admin needs a signed-in admin (`by`) once any admin
//   exists; only the very first admin can be added without one. Otherwise anyone could add an
//   admin and so bypass the credentials and the lockout of the counter reset.
// - The last admin cannot be removed (admin.last_admin): with none left, the next `admin add`
//   would need no credentials at all.
// - change_password by the admin themself or by another admin (a forgotten password) also clears
//   the failed attempts, the lock and the lockout count: it is a deliberate act by a signed-in admin.
// - When an admin signs in with a hash of fewer iterations than the policy's, the hash is redone
//   with the policy's count in the same transaction (hashes get stronger as the default grows).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/password.h"
#include "result.h"
#include "store/database.h"

namespace md::admin {

using Clock = std::chrono::system_clock;

struct Policy {
  int iterations = kDefaultIterations;  // PBKDF2 cost of new hashes, and of the dummy for unknown names
  int max_failed_attempts = 5;
  std::chrono::seconds first_lockout{30};
  std::chrono::seconds max_lockout{3600};
};

// How long lock number `lockout` (1, 2, 3...) lasts: first_lockout * 2^(lockout-1), at most max_lockout.
std::chrono::seconds lockout_duration(const Policy& policy, int64_t lockout);

// Proof that an admin gave the right password, from verify_admin. The window keeps one while an
// admin is signed in (to pre-fill the counter reset); how long it trusts it is the window's choice.
struct AdminSession {
  std::string user;
  Clock::time_point verified_at;
};

// An admin who signed in to the window this recently confirms a counter reset without typing the
// password again (the seed: "if you are logged in as an administrator, these will be
// pre-populated"); later, or from the command line, the password is asked.
inline constexpr std::chrono::minutes kRecentSignIn{5};
bool signed_in_recently(const AdminSession& session, Clock::time_point now);

// How an admin confirmed a change: by typing the password for it, or by a recent sign-in of the
// window (kept in the audit row's detail as "password" / "recent_sign_in").
enum class Confirmation { password, recent_sign_in };
const char* to_string(Confirmation c);

// Who makes a change and when: the audit row's admin and time, and the hash cost for new passwords.
struct Change {
  std::optional<AdminSession> by;  // required once any admin exists (see the rules above)
  Clock::time_point now = Clock::now();
  Policy policy;
};

struct AdminInfo {
  std::string name;
  std::string created_at;                         // ISO 8601 UTC
  std::optional<Clock::time_point> locked_until;  // as stored; may lie in the past (lock expired)
  bool lock_unreadable = false;                   // a stored lock that cannot be read: locked for good
  int64_t failed_attempts = 0;
  int64_t lockouts = 0;

  bool locked_at(Clock::time_point now) const { return lock_unreadable || (locked_until && *locked_until > now); }
};

// 1–64 characters of [A-Za-z0-9._@-]: "admin.invalid_name" otherwise.
Result<void> check_admin_name(std::string_view user);

// admin.invalid_name, admin.weak_password, admin.exists, admin.not_authorized (admins exist and
// no `by`, or `by` names no admin), admin.crypto_failed, store.*. Audits "admin.add".
Result<void> add_admin(store::Database& db, std::string_view user, std::string_view password,
                       const Change& change = {});

// Sets a new password: `by` is the admin themself (signed in with the old password) or another
// admin. Clears failed attempts, lock and lockout count. admin.weak_password, admin.not_found,
// admin.not_authorized, admin.crypto_failed, store.*. Audits "admin.passwd".
Result<void> change_password(store::Database& db, std::string_view user, std::string_view new_password,
                             const Change& change);

// Needs `by` (the admin themself or another). admin.not_found, admin.last_admin,
// admin.not_authorized, store.*. Audits "admin.remove". Past audit rows stay.
Result<void> remove_admin(store::Database& db, std::string_view user, const Change& change);

// By name.
Result<std::vector<AdminInfo>> list_admins(store::Database& db);
// A window's sign-in still confirms a change now: it is recent (kRecentSignIn), and the admin still
// exists and is not locked. admin.not_authorized (saying which) otherwise, store.*.
Result<AdminSession> confirm_recent_sign_in(store::Database& db, const AdminSession& session, Clock::time_point now);
Result<bool> has_admins(store::Database& db);

// Signs an admin in (see the rules above): admin.bad_credentials, admin.locked_out,
// admin.hash_invalid (the stored hash is damaged; the detail names the admin), admin.crypto_failed,
// store.*. Audits "admin.sign_in", "admin.sign_in_failed" and, when a lock starts, "admin.locked_out".
Result<AdminSession> verify_admin(store::Database& db, std::string_view user, std::string_view password,
                                  Clock::time_point now, const Policy& policy = {});

}  // namespace md::admin

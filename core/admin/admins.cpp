// Admin users, sign-in and lockout (admins.h has the rules).
#include "admin/admins.h"

#include <algorithm>
#include <stdexcept>

#include "admin/audit.h"
#include "util/time.h"

namespace md::admin {
namespace {

using nlohmann::json;

// One text for an unknown name and a wrong password: the answer must not tell them apart.
Failure bad_credentials() {
  return fail("admin.bad_credentials", "The admin name or the password is wrong.");
}

Failure crypto_failed(const std::exception& e) {
  return fail("admin.crypto_failed", std::string("Password hashing failed: ") + e.what());
}

Failure not_found(std::string_view user) {
  return fail("admin.not_found", "There is no admin named '" + std::string(user) + "'.");
}

int64_t seconds_until(Clock::time_point until, Clock::time_point now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
  return std::max<int64_t>(0, (ms + 999) / 1000);
}

Failure locked_out(std::string_view user, std::optional<Clock::time_point> until, Clock::time_point now) {
  if (!until)
    return fail("admin.locked_out", "Admin '" + std::string(user) +
                                        "' is locked out (the stored end of the lock cannot be read). Another admin "
                                        "can clear the lock by setting a new password.");
  return fail("admin.locked_out",
              "Admin '" + std::string(user) + "' is locked out after repeated wrong passwords until " +
                  util::format_iso8601(*until) + " (another " + std::to_string(seconds_until(*until, now)) + " s).");
}

struct Row {
  std::string password_hash;
  int64_t failed_attempts = 0;
  int64_t lockouts = 0;
  std::optional<std::string> locked_until;
};

std::optional<Row> load_row(store::Database& db, std::string_view user) {
  auto st = db.prepare("SELECT password_hash, failed_attempts, lockouts, locked_until FROM admins WHERE username = ?");
  st.bind(1, user);
  if (!st.step()) return std::nullopt;
  return Row{st.column_text(0), st.column_int(1), st.column_int(2), st.column_optional_text(3)};
}

int64_t admin_count(store::Database& db) {
  auto st = db.prepare("SELECT count(*) FROM admins");
  st.step();
  return st.column_int(0);
}

bool admin_exists(store::Database& db, std::string_view user) {
  auto st = db.prepare("SELECT 1 FROM admins WHERE username = ?");
  st.bind(1, user);
  return st.step();
}

// Inside the caller's transaction: is the change made by a signed-in admin who still exists? The
// very first admin may be added by nobody (allow_first).
Result<void> authorize(store::Database& db, const Change& change, bool allow_first) {
  if (change.by) {
    if (admin_exists(db, change.by->user)) return {};
    return fail("admin.not_authorized", "The signed-in admin '" + change.by->user + "' no longer exists.");
  }
  if (allow_first && admin_count(db) == 0) return {};
  return fail("admin.not_authorized", "This change needs an admin to sign in first.");
}

std::string by_name(const Change& change) {
  return change.by ? change.by->user : std::string();
}

// The lock as stored: nullopt when there is none; a nullopt inside when it cannot be read.
std::optional<std::optional<Clock::time_point>> stored_lock(const Row& row) {
  if (!row.locked_until) return std::nullopt;
  return util::parse_iso8601(*row.locked_until);
}

}  // namespace

std::chrono::seconds lockout_duration(const Policy& policy, int64_t lockout) {
  std::chrono::seconds d = policy.first_lockout;
  for (int64_t i = 1; i < lockout && d < policy.max_lockout; ++i) d *= 2;
  return std::min(d, policy.max_lockout);
}

Result<void> check_admin_name(std::string_view user) {
  if (user.empty() || user.size() > 64)
    return fail("admin.invalid_name", "An admin name has 1 to 64 characters; '" + std::string(user.substr(0, 80)) +
                                          (user.size() > 80 ? "...'" : "'") + " has " + std::to_string(user.size()) +
                                          ".");
  for (char c : user) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '@' || c == '-';
    if (!ok)
      return fail("admin.invalid_name",
                  "An admin name may only hold letters A-Z and a-z, digits and . _ @ - (no spaces or other signs).");
  }
  return {};
}

Result<void> add_admin(store::Database& db, std::string_view user, std::string_view password, const Change& change) {
  if (auto r = check_admin_name(user); !r) return r;
  if (auto r = check_password_rules(password); !r) return r;
  std::string hash;
  try {
    hash = hash_password(password, change.policy.iterations);  // before taking the write lock: it is slow
  } catch (const std::exception& e) {
    return crypto_failed(e);
  }
  try {
    store::Transaction tx(db);
    if (auto r = authorize(db, change, /*allow_first=*/true); !r) return r;
    // Names differing only in case would be too easy to confuse in an audit.
    auto st = db.prepare("SELECT username FROM admins WHERE username = ? COLLATE NOCASE");
    st.bind(1, user);
    if (st.step())
      return fail("admin.exists", "An admin named '" + st.column_text(0) + "' already exists (names ignore case).");
    db.prepare("INSERT INTO admins (username, password_hash, created_at) VALUES (?, ?, ?)")
        .bind(1, user)
        .bind(2, hash)
        .bind(3, util::format_iso8601(change.now))
        .run();
    write_audit(db, by_name(change), kActionAdd, "", {{"user", user}, {"first_admin", !change.by}}, change.now);
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<void> change_password(store::Database& db, std::string_view user, std::string_view new_password,
                             const Change& change) {
  if (auto r = check_password_rules(new_password); !r) return r;
  std::string hash;
  try {
    hash = hash_password(new_password, change.policy.iterations);
  } catch (const std::exception& e) {
    return crypto_failed(e);
  }
  try {
    store::Transaction tx(db);
    if (auto r = authorize(db, change, /*allow_first=*/false); !r) return r;
    auto row = load_row(db, user);
    if (!row) return not_found(user);
    db.prepare(
          "UPDATE admins SET password_hash = ?, failed_attempts = 0, lockouts = 0, locked_until = NULL "
          "WHERE username = ?")
        .bind(1, hash)
        .bind(2, user)
        .run();
    json detail = {{"user", user}, {"self", change.by->user == user}};
    if (row->failed_attempts > 0 || row->lockouts > 0 || row->locked_until) detail["cleared_lockout"] = true;
    write_audit(db, change.by->user, kActionPasswd, "", detail, change.now);
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<void> remove_admin(store::Database& db, std::string_view user, const Change& change) {
  try {
    store::Transaction tx(db);
    if (auto r = authorize(db, change, /*allow_first=*/false); !r) return r;
    if (!admin_exists(db, user)) return not_found(user);
    if (admin_count(db) <= 1) {
      // Appended rather than "'" + ... + "'": GCC 12 at -O2 gives a false -Wrestrict on that (PR 105329).
      std::string detail = "'";
      detail.append(user).append("' is the only admin left and cannot be removed.");
      return fail("admin.last_admin", detail);
    }
    db.prepare("DELETE FROM admins WHERE username = ?").bind(1, user).run();
    write_audit(db, change.by->user, kActionRemove, "", {{"user", user}, {"self", change.by->user == user}},
                change.now);
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

bool signed_in_recently(const AdminSession& session, Clock::time_point now) {
  return now >= session.verified_at && now - session.verified_at <= kRecentSignIn;
}

const char* to_string(Confirmation c) {
  return c == Confirmation::password ? "password" : "recent_sign_in";
}

Result<AdminSession> confirm_recent_sign_in(store::Database& db, const AdminSession& session, Clock::time_point now) {
  if (!signed_in_recently(session, now))
    return Failure{"admin.not_authorized", "The admin sign-in of '" + session.user + "' is older than " +
                                               std::to_string(kRecentSignIn.count()) +
                                               " minutes: type the admin password to confirm."};
  auto admins = list_admins(db);
  if (!admins) return admins.failure();
  for (const AdminInfo& a : admins.value()) {
    if (a.name != session.user) continue;
    if (a.locked_at(now)) return Failure{"admin.not_authorized", "The admin '" + session.user + "' is locked out now."};
    return session;
  }
  return Failure{"admin.not_authorized", "The admin '" + session.user + "' no longer exists."};
}

Result<std::vector<AdminInfo>> list_admins(store::Database& db) {
  try {
    std::vector<AdminInfo> out;
    auto st = db.prepare(
        "SELECT username, created_at, locked_until, failed_attempts, lockouts FROM admins ORDER BY username");
    while (st.step()) {
      AdminInfo a;
      a.name = st.column_text(0);
      a.created_at = st.column_text(1);
      if (auto text = st.column_optional_text(2)) {
        a.locked_until = util::parse_iso8601(*text);
        a.lock_unreadable = !a.locked_until;  // counts as locked, as in verify_admin
      }
      a.failed_attempts = st.column_int(3);
      a.lockouts = st.column_int(4);
      out.push_back(std::move(a));
    }
    return out;
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<bool> has_admins(store::Database& db) {
  try {
    return admin_count(db) > 0;
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<AdminSession> verify_admin(store::Database& db, std::string_view user, std::string_view password,
                                  Clock::time_point now, const Policy& policy) {
  try {
    // Held through the hashing: attempts are serialised and the counters cannot race.
    store::Transaction tx(db);
    std::optional<Row> row;
    if (check_admin_name(user)) row = load_row(db, user);
    if (!row) {
      dummy_verify(password, policy.iterations);
      // The typed name is left out: a name that is no admin is often a password typed one field early.
      write_audit(db, "", kActionSignInFailed, "", {{"reason", "unknown_admin"}}, now);
      tx.commit();
      return bad_credentials();
    }

    if (auto lock = stored_lock(*row); lock && (!*lock || **lock > now)) {
      json detail = {{"reason", "locked"}};
      if (*lock) detail["locked_until"] = util::format_iso8601_ms(**lock);
      write_audit(db, user, kActionSignInFailed, "", detail, now);
      tx.commit();
      return locked_out(user, *lock, now);
    }

    auto parsed = parse_hash(row->password_hash);
    if (!parsed) {
      dummy_verify(password, policy.iterations);
      write_audit(db, user, kActionSignInFailed, "", {{"reason", "stored_hash_invalid"}}, now);
      tx.commit();
      return fail("admin.hash_invalid", "The saved password of admin '" + std::string(user) +
                                            "' is damaged and cannot be checked. Another admin can set a new one.");
    }

    if (verify_password(password, *parsed)) {
      std::optional<std::string> rehash;
      if (parsed->iterations < policy.iterations) rehash = hash_password(password, policy.iterations);
      db.prepare(
            "UPDATE admins SET failed_attempts = 0, lockouts = 0, locked_until = NULL, "
            "password_hash = coalesce(?, password_hash) WHERE username = ?")
          .bind(1, rehash)
          .bind(2, user)
          .run();
      json detail = json::object();
      if (rehash) detail["rehashed_iterations"] = policy.iterations;
      write_audit(db, user, kActionSignIn, "", detail, now);
      tx.commit();
      return AdminSession{std::string(user), now};
    }

    const int64_t failed = row->failed_attempts + 1;
    write_audit(db, user, kActionSignInFailed, "", {{"reason", "bad_password"}, {"failed_attempts", failed}}, now);
    if (failed < policy.max_failed_attempts) {
      db.prepare("UPDATE admins SET failed_attempts = ? WHERE username = ?").bind(1, failed).bind(2, user).run();
      tx.commit();
      return bad_credentials();
    }
    const int64_t lockouts = row->lockouts + 1;
    const auto duration = lockout_duration(policy, lockouts);
    const Clock::time_point until = now + duration;
    db.prepare("UPDATE admins SET failed_attempts = 0, lockouts = ?, locked_until = ? WHERE username = ?")
        .bind(1, lockouts)
        .bind(2, util::format_iso8601_ms(until))
        .bind(3, user)
        .run();
    write_audit(db, user, kActionLockedOut, "",
                {{"locked_until", util::format_iso8601_ms(until)},
                 {"seconds", duration.count()},
                 {"lockout", lockouts},
                 {"failed_attempts", failed}},
                now);
    tx.commit();
    return locked_out(user, until, now);
  } catch (const store::Error& e) {
    return store::to_failure(e);
  } catch (const std::runtime_error& e) {
    return crypto_failed(e);
  }
}

}  // namespace md::admin

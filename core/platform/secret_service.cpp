#include "platform/secret_service.h"

#include <cstdlib>

#if defined(MAILDOCTOR_HAVE_LIBSECRET)
#include <libsecret/secret.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>
#endif

namespace md::platform {

std::chrono::milliseconds keyring_timeout() {
  if (const char* env = std::getenv("MAILDOCTOR_KEYRING_TIMEOUT_MS")) {
    char* end = nullptr;
    long long ms = std::strtoll(env, &end, 10);
    if (end != env && *end == '\0' && ms > 0) return std::chrono::milliseconds(ms);
  }
  return std::chrono::seconds(10);
}

std::string keyring_protection_name(const std::string& provider) {
  return provider.empty() ? "Secret Service" : "Secret Service (" + provider + ")";
}

#if defined(MAILDOCTOR_HAVE_LIBSECRET)
namespace {

constexpr const char* kSchemaName = "org.maildoctor.VaultKey";
constexpr const char* kFolderAttribute = "data-dir";

const SecretSchema* vault_key_schema() {
  static const SecretSchema schema = [] {
    SecretSchema s{};
    s.name = kSchemaName;
    s.flags = SECRET_SCHEMA_NONE;
    s.attributes[0].name = kFolderAttribute;
    s.attributes[0].type = SECRET_SCHEMA_ATTRIBUTE_STRING;
    return s;
  }();
  return &schema;
}

// Cancels the GCancellable when the bound passes; the libsecret call it guards then returns
// G_IO_ERROR_CANCELLED. Waits on a condition, so a call that answers in time ends it at once.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds bound) : cancellable_(g_cancellable_new()) {
    thread_ = std::thread([this, bound] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, bound, [this] { return done_; })) {
        fired_ = true;
        g_cancellable_cancel(cancellable_);
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
    g_object_unref(cancellable_);
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  GCancellable* cancellable() const { return cancellable_; }
  bool fired() {
    std::lock_guard lock(mutex_);
    return fired_;
  }

 private:
  GCancellable* cancellable_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

struct Attributes {
  GHashTable* table = g_hash_table_new(g_str_hash, g_str_equal);
  explicit Attributes(const std::string& data_dir) {
    g_hash_table_insert(table, const_cast<char*>(kFolderAttribute), const_cast<char*>(data_dir.c_str()));
  }
  ~Attributes() { g_hash_table_unref(table); }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
};

std::string seconds_text(std::chrono::milliseconds ms) {
  return std::to_string(ms.count() / 1000) + "." + std::to_string(ms.count() % 1000 / 100) + " s";
}

std::string error_text(GError* error, Watchdog& dog, const char* what) {
  std::string text = what;
  if (dog.fired())
    text += ": no answer within " + seconds_text(keyring_timeout()) + " (MAILDOCTOR_KEYRING_TIMEOUT_MS)";
  else if (error)
    text += std::string(": ") + error->message;
  if (error) g_error_free(error);
  return text;
}

// Which program owns org.freedesktop.secrets, by the name of its process: what status names.
std::string provider_of(SecretService* service) {
  GDBusConnection* bus = g_dbus_proxy_get_connection(G_DBUS_PROXY(service));
  if (!bus) return {};
  GError* error = nullptr;
  GVariant* reply = g_dbus_connection_call_sync(
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixProcessID",
      g_variant_new("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE,
      static_cast<int>(keyring_timeout().count()), nullptr, &error);
  if (!reply) {
    g_clear_error(&error);
    return {};
  }
  guint32 pid = 0;
  g_variant_get(reply, "(u)", &pid);
  g_variant_unref(reply);
  std::string comm;
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::getline(in, comm);
  if (comm.starts_with("gnome-keyring")) return "GNOME Keyring";
  if (comm.starts_with("kwalletd") || comm.starts_with("ksecretd")) return "KWallet";
  if (comm.starts_with("keepassxc")) return "KeePassXC";
  return comm;
}

// The Secret Service on the session bus, or nullptr with the reason. A connection of our own
// making would not be shared; GDBus's shared one must not end the process when the bus goes away.
SecretService* open_service(std::string& detail) {
  Watchdog dog(keyring_timeout());
  GError* error = nullptr;
  SecretService* service =
      secret_service_open_sync(SECRET_TYPE_SERVICE, nullptr, SECRET_SERVICE_OPEN_SESSION, dog.cancellable(), &error);
  if (!service) {
    detail = error_text(error, dog, "no Secret Service answers on the session bus");
    return nullptr;
  }
  if (GDBusConnection* bus = g_dbus_proxy_get_connection(G_DBUS_PROXY(service)))
    g_dbus_connection_set_exit_on_close(bus, FALSE);
  return service;
}

}  // namespace

bool keyring_built() {
  return true;
}

KeyringAnswer keyring_lookup_vault_key(const std::string& data_dir) {
  KeyringAnswer answer;
  SecretService* service = open_service(answer.detail);
  if (!service) return answer;
  answer.provider = provider_of(service);

  Attributes attributes(data_dir);
  GError* error = nullptr;
  GList* items = nullptr;
  {
    // No unlocking here: a search never prompts, so a keyring that cannot answer costs no prompt.
    Watchdog dog(keyring_timeout());
    items = secret_service_search_sync(service, vault_key_schema(), attributes.table, SECRET_SEARCH_LOAD_SECRETS,
                                       dog.cancellable(), &error);
    if (error) answer.detail = error_text(error, dog, "the keyring did not answer the search for the key");
  }
  if (!answer.detail.empty()) {
    answer.outcome = KeyringAnswer::unavailable;
  } else if (!items) {
    answer.outcome = KeyringAnswer::absent;
  } else {
    auto* item = static_cast<SecretItem*>(items->data);
    if (secret_item_get_locked(item)) {
      // The key is there, locked: the one case worth the desktop's unlock prompt, within the bound.
      Watchdog dog(keyring_timeout());
      GList one = {item, nullptr, nullptr};
      GList* unlocked = nullptr;
      // Counted, not read off the item: its Locked property may not have caught up yet.
      const gint count = secret_service_unlock_sync(service, &one, dog.cancellable(), &unlocked, &error);
      g_list_free_full(unlocked, g_object_unref);
      if (error || count < 1 || !secret_item_load_secret_sync(item, dog.cancellable(), &error))
        answer.detail = error_text(error, dog, "the keyring holding the key is locked, and was not unlocked");
    }
    SecretValue* value = answer.detail.empty() ? secret_item_get_secret(item) : nullptr;
    if (!value) {
      answer.outcome = KeyringAnswer::locked;
      if (answer.detail.empty()) answer.detail = "the keyring gave no secret for the key's item";
    } else {
      gsize length = 0;
      const gchar* bytes = secret_value_get(value, &length);
      answer.outcome = KeyringAnswer::found;
      answer.value.assign(bytes, length);
      secret_value_unref(value);
    }
  }
  g_list_free_full(items, g_object_unref);
  g_object_unref(service);
  return answer;
}

KeyringAnswer keyring_store_vault_key(const std::string& data_dir, std::string_view secret) {
  KeyringAnswer answer;
  SecretService* service = open_service(answer.detail);
  if (!service) return answer;
  answer.provider = provider_of(service);

  // Only into a default collection ("login" on GNOME) that exists and is unlocked: MailDoctor never
  // prompts to create or unlock a keyring just to move a key that works where it is.
  SecretCollection* collection = nullptr;
  {
    Watchdog dog(keyring_timeout());
    GError* error = nullptr;
    collection = secret_collection_for_alias_sync(service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                                                  dog.cancellable(), &error);
    if (error)
      answer.detail = error_text(error, dog, "the keyring did not name its default collection");
    else if (!collection)
      answer.detail = "the keyring has no default collection";
    else if (secret_collection_get_locked(collection))
      answer.detail = "the keyring's default collection is locked";
  }
  if (answer.detail.empty()) {
    Attributes attributes(data_dir);
    SecretValue* value = secret_value_new(secret.data(), static_cast<gssize>(secret.size()), "text/plain");
    const std::string label = "MailDoctor vault key (" + data_dir + ")";
    Watchdog dog(keyring_timeout());
    GError* error = nullptr;
    SecretItem* item = secret_item_create_sync(collection, vault_key_schema(), attributes.table, label.c_str(), value,
                                               SECRET_ITEM_CREATE_REPLACE, dog.cancellable(), &error);
    secret_value_unref(value);
    if (item) {
      answer.outcome = KeyringAnswer::found;
      g_object_unref(item);
    } else {
      answer.detail = error_text(error, dog, "the keyring did not save the key");
    }
  }
  if (collection) g_object_unref(collection);
  g_object_unref(service);
  return answer;
}

#else

bool keyring_built() {
  return false;
}

KeyringAnswer keyring_lookup_vault_key(const std::string&) {
  return {KeyringAnswer::unavailable, {}, "MailDoctor was built without the Secret Service (libsecret)", {}};
}

KeyringAnswer keyring_store_vault_key(const std::string&, std::string_view) {
  return {KeyringAnswer::unavailable, {}, "MailDoctor was built without the Secret Service (libsecret)", {}};
}

#endif

}  // namespace md::platform

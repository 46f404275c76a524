// Authentication of API requests (RELIABILITY §5): a key only in `Authorization: Bearer <key>`
// (a key in the query string is refused, since URLs end up in logs), checked for shape and
// checksum before any store lookup, looked up by its SHA-256; revoked keys are refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "edge/api_handler.h"
#include "store/store.h"

namespace ct::api {

// Who may do what in an account: a viewer reads, an editor also writes everything but users,
// invitations, API keys and the account itself, an owner does all. API keys act as owners.
enum class Role { kViewer, kEditor, kOwner };

// The caller of an API request: an API key (key_id, acts as owner) or a user's browser session
// (user_id, via_session; the role is the user's).
struct Principal {
  int64_t account_id = 0;
  int64_t key_id = 0;
  int64_t user_id = 0;
  Role role = Role::kOwner;
  bool via_session = false;
};

// Keys the store confirmed recently, so that reads that do not need the store — the status page
// above all — still work while the store cannot answer. Only a key that the store itself
// confirmed valid within kKeyFallbackTtl is accepted this way; a revocation reaches every
// request again as soon as the store answers. Thread-safe; bounded to kMaxCachedKeys.
class KeyFallbackCache {
 public:
  static constexpr auto kKeyFallbackTtl = std::chrono::hours(24);
  static constexpr size_t kMaxCachedKeys = 10'000;

  void Remember(const std::string& key_hash, const Principal& who,
                std::chrono::steady_clock::time_point now);
  void Forget(const std::string& key_hash);
  // A key revoked through the API (which knows its id, not its hash).
  void ForgetKeyId(int64_t key_id);
  std::optional<Principal> Find(const std::string& key_hash,
                                std::chrono::steady_clock::time_point now) const;

 private:
  struct Entry {
    Principal who;
    std::chrono::steady_clock::time_point confirmed;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// kNotFound (-> 401) with a message for the client when the request is not authenticated;
// kUnavailable when the store cannot answer and `fallback` (optional) does not know the key.
Result<Principal> Authenticate(const ApiRequest& req, Store& store,
                               KeyFallbackCache* fallback = nullptr);

}  // namespace ct::api

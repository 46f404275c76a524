#include "api/auth.h"

#include <boost/url/parse.hpp>

#include "api/api_key.h"

namespace ct::api {
namespace {

bool QueryCarriesKey(const std::string& target) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return false;
  for (auto p : u->params()) {
    if (p.key == "api_key" || p.key == "key" || p.key == "token" || p.key == "access_token") {
      return true;
    }
  }
  return false;
}

}  // namespace

void KeyFallbackCache::Remember(const std::string& key_hash, const Principal& who,
                                std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxCachedKeys && !entries_.count(key_hash)) {
    entries_.erase(entries_.begin());  // any one: the cache is a fallback, not the truth
  }
  entries_[key_hash] = Entry{who, now};
}

void KeyFallbackCache::Forget(const std::string& key_hash) {
  std::lock_guard lock(mu_);
  entries_.erase(key_hash);
}

void KeyFallbackCache::ForgetKeyId(int64_t key_id) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [key_id](const auto& e) { return e.second.who.key_id == key_id; });
}

std::optional<Principal> KeyFallbackCache::Find(const std::string& key_hash,
                                                std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key_hash);
  if (it == entries_.end() || now - it->second.confirmed > kKeyFallbackTtl) return std::nullopt;
  return it->second.who;
}

Result<Principal> Authenticate(const ApiRequest& req, Store& store, KeyFallbackCache* fallback) {
  if (QueryCarriesKey(req.target)) {
    return Status::NotFound("API keys are accepted only in the Authorization header");
  }
  const std::string* h = req.Header("authorization");
  if (h == nullptr) return Status::NotFound("missing Authorization: Bearer <api key>");
  std::string_view v = *h;
  constexpr std::string_view kBearer = "Bearer ";
  if (v.size() <= kBearer.size() || (v.substr(0, 7) != kBearer && v.substr(0, 7) != "bearer ")) {
    return Status::NotFound("Authorization must be 'Bearer <api key>'");
  }
  std::string_view key = v.substr(kBearer.size());
  if (!ApiKeyWellFormed(key)) return Status::NotFound("invalid API key");
  const std::string hash = HashApiKey(key);
  const auto now = std::chrono::steady_clock::now();
  auto info = store.FindApiKey(hash);
  if (!info.ok()) {
    if (fallback != nullptr) {
      if (auto who = fallback->Find(hash, now)) return *who;
    }
    return info.status();
  }
  if (!info->has_value() || (*info)->revoked) {
    if (fallback != nullptr) fallback->Forget(hash);
    return Status::NotFound("invalid API key");
  }
  Principal who{(*info)->account_id, (*info)->key_id};
  if (fallback != nullptr) fallback->Remember(hash, who, now);
  return who;
}

}  // namespace ct::api

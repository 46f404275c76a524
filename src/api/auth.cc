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

Result<Principal> Authenticate(const ApiRequest& req, Store& store) {
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
  auto info = store.FindApiKey(HashApiKey(key));
  if (!info.ok()) return info.status();
  if (!info->has_value() || (*info)->revoked) return Status::NotFound("invalid API key");
  return Principal{(*info)->account_id, (*info)->key_id};
}

}  // namespace ct::api

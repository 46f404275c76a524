#include "api/session_auth.h"

#include "api/role_policy.h"
#include "api/session_cookie.h"
#include "common/hash.h"

namespace ct::api {

std::string SessionTokenHash(const std::string& token) { return Sha256Hex(token); }

Result<SessionAuth> AuthenticateSession(const std::string& token, Store& store,
                                        int64_t idle_ttl_us) {
  // Our tokens are 43 base64url characters; anything else cannot be one (no store lookup).
  if (token.size() != 43) return Status::NotFound("invalid or expired session");
  SessionAuth out;
  out.token_hash = SessionTokenHash(token);
  auto info = store.FindSession(out.token_hash, idle_ttl_us);
  if (!info.ok()) return info.status();
  if (!info->has_value()) return Status::NotFound("invalid or expired session");
  SessionInfo& s = **info;
  auto role = ParseRole(s.user.role);
  if (!role) return Status::Internal("user has an unknown role");
  out.who.account_id = s.user.account_id;
  out.who.user_id = s.user.id;
  out.who.role = *role;
  out.who.via_session = true;
  out.user = std::move(s.user);
  out.csrf_token = std::move(s.csrf_token);
  return out;
}

Result<StartedSession> StartSession(Store& store, int64_t user_id, int64_t idle_ttl_us) {
  StartedSession s{NewSecretToken(), NewSecretToken()};
  CT_RETURN_IF_ERROR(
      store.CreateSession({SessionTokenHash(s.token), user_id, s.csrf_token}, idle_ttl_us));
  return s;
}

}  // namespace ct::api

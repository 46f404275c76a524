// Browser sessions (README "Users and sessions"): the cookie's token is 32 random bytes the
// server made (a client can never choose it: no session fixation), stored as its SHA-256; a
// session carries the CSRF token its writes must echo.
#pragma once

#include <cstdint>
#include <string>

#include "api/auth.h"
#include "common/status.h"
#include "store/store.h"

namespace ct::api {

struct SessionAuth {
  Principal who;  // via_session, the user's id, account and current role
  UserRow user;
  std::string token_hash;
  std::string csrf_token;
};

// kNotFound (-> 401) for an unknown, expired or ended session; kUnavailable if the store
// cannot answer.
Result<SessionAuth> AuthenticateSession(const std::string& token, Store& store,
                                        int64_t idle_ttl_us);

struct StartedSession {
  std::string token;  // for the cookie only; the store keeps its hash
  std::string csrf_token;
};
Result<StartedSession> StartSession(Store& store, int64_t user_id, int64_t idle_ttl_us);

std::string SessionTokenHash(const std::string& token);

}  // namespace ct::api

// An account's people (README "Users and sessions"): GET /api/v1/users (any role),
// PATCH /api/v1/users/{id} {"role"} and DELETE /api/v1/users/{id} (owner; an account keeps at
// least one owner: 409 last_owner), and invitations — POST/GET /api/v1/invitations,
// DELETE /api/v1/invitations/{id} (owner). The role checks are the router's (role_policy.h);
// every store call is scoped by the caller's account, so another account's ids are 404s.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

// How long an invitation's accept URL works.
inline constexpr int64_t kInvitationTtlUs = 7LL * 24 * 3600 * 1'000'000;

class UsersHandler {
 public:
  explicit UsersHandler(const ApiContext* ctx) : ctx_(ctx) {}

  ApiResponse List(const Principal& who);
  ApiResponse UpdateRole(const Principal& who, int64_t user_id, const ApiRequest& req);
  ApiResponse Delete(const Principal& who, int64_t user_id);

  ApiResponse Invite(const Principal& who, const ApiRequest& req);
  ApiResponse ListInvitations(const Principal& who);
  ApiResponse DeleteInvitation(const Principal& who, int64_t invitation_id);

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api

// The dashboard's own endpoints about the caller (README "Users and sessions"):
//   POST   /api/v1/sessions              sign in (unauthenticated; throttled per IP + email)
//   DELETE /api/v1/sessions/current      sign out
//   GET    /api/v1/me                    who is calling, in which account, with which role
//   POST   /api/v1/users/me/password     change one's password; ends one's other sessions
//   POST   /api/v1/invitations/accept    become a user of the inviting account, signed in
// Sign-in always makes a new session (and ends one the request presented), so a cookie a
// client held before can never become a signed-in one.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "api/api_context.h"
#include "api/auth.h"
#include "api/login_throttle.h"
#include "api/session_auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class SessionHandler {
 public:
  explicit SessionHandler(const ApiContext* ctx)
      : ctx_(ctx), throttle_(ctx->clock ? ctx->clock : Clock::System()) {}

  ApiResponse Login(const ApiRequest& req);
  // `session` is null when the caller used an API key.
  ApiResponse Logout(const SessionAuth* session);
  ApiResponse Me(const Principal& who, const SessionAuth* session);
  ApiResponse ChangePassword(const SessionAuth* session, const ApiRequest& req);
  ApiResponse AcceptInvitation(const ApiRequest& req);

  int64_t IdleTtlUs() const { return ctx_->options.session_ttl_hours * 3600LL * 1'000'000; }
  // The Set-Cookie of a live session, with a fresh Max-Age.
  std::string Cookie(const std::string& token) const;

 private:
  // 201 {"user", "csrf_token"} with the cookie of a new session of `user`; ends the session
  // the request presented, if any.
  ApiResponse SignIn(const ApiRequest& req, const UserRow& user);

  const ApiContext* ctx_;
  LoginThrottle throttle_;
};

// The string field `name` of a body; kInvalidArgument if missing or not a string.
Result<std::string> RequiredString(const boost::json::object& body, std::string_view name);
// USER of the API: {"id", "email", "role", "created_at"}.
boost::json::object UserJson(const UserRow& u);
// Lower-cases an email and checks its shape (one '@', 3..254 printable ASCII characters, no
// spaces): kInvalidArgument otherwise.
Result<std::string> NormalizeEmail(std::string_view email);

}  // namespace ct::api

#include "api/session_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/request_fields.h"
#include "api/role_policy.h"
#include "api/session_cookie.h"
#include "api/user_password.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

ApiResponse InvalidCredentials() {
  return ErrorResponse(401, "invalid_credentials", "wrong email or password");
}

// The JSON object of a write's body, or the 415/400 to answer.
Result<json::object> JsonBody(const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return Status::InvalidArgument("Content-Type must be application/json");
  }
  return ParseStrictJsonObject(req.body);
}

ApiResponse BodyError(const ApiRequest& req, const Status& s) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  return ErrorFromStatus(s);
}

}  // namespace

Result<std::string> RequiredString(const json::object& body, std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr) return Status::InvalidArgument(std::string(name) + " is required");
  return StringField(*v, name);
}

json::object UserJson(const UserRow& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"role", u.role},
          {"created_at", FormatIso8601(u.created_at_us)}};
}

Result<std::string> NormalizeEmail(std::string_view email) {
  std::string out;
  out.reserve(email.size());
  size_t ats = 0;
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return Status::InvalidArgument("email: not an email address");
    if (c == '@') ++ats;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const size_t at = out.find('@');
  if (ats != 1 || out.size() < 3 || out.size() > 254 || at == 0 || at + 1 == out.size()) {
    return Status::InvalidArgument("email: not an email address");
  }
  return out;
}

std::string SessionHandler::Cookie(const std::string& token) const {
  return SessionSetCookie(token, ctx_->options.session_ttl_hours * 3600,
                          ctx_->options.secure_cookie);
}

ApiResponse SessionHandler::SignIn(const ApiRequest& req, const UserRow& user) {
  // Whatever session the client presented ends here; the new one has a token only the server
  // chose (no session fixation).
  if (auto old = SessionCookieValue(req)) {
    Status s = ctx_->store->DeleteSession(SessionTokenHash(*old));
    if (!s.ok()) return ErrorFromStatus(s);
  }
  auto started = StartSession(*ctx_->store, user.id, IdleTtlUs());
  if (!started.ok()) return ErrorFromStatus(started.status());
  ApiResponse r = JsonResponse(
      201, json::object{{"user", UserJson(user)}, {"csrf_token", started->csrf_token}});
  r.headers.emplace_back("Set-Cookie", Cookie(started->token));
  return r;
}

ApiResponse SessionHandler::Login(const ApiRequest& req) {
  auto body = JsonBody(req);
  if (!body.ok()) return BodyError(req, body.status());
  if (Status s = CheckFieldNames(*body, {"email", "password"}, {}); !s.ok()) {
    return ErrorFromStatus(s);
  }
  auto email_in = RequiredString(*body, "email");
  if (!email_in.ok()) return ErrorFromStatus(email_in.status());
  auto password = RequiredString(*body, "password");
  if (!password.ok()) return ErrorFromStatus(password.status());
  // A malformed email is no user's: the same 401 as an unknown one.
  auto email = NormalizeEmail(*email_in);
  const std::string throttle_email = email.ok() ? *email : *email_in;
  if (int64_t retry = throttle_.RetryAfter(req.remote_ip, throttle_email); retry > 0) {
    ApiResponse r = ErrorResponse(429, "rate_limited", "too many failed sign-ins; retry later");
    r.headers.emplace_back("Retry-After", std::to_string(retry));
    return r;
  }
  // At most kMaxPasswordLength bytes are ever hashed: a longer one is no user's password.
  std::string_view pw = *password;
  if (pw.size() > kMaxPasswordLength) pw = pw.substr(0, kMaxPasswordLength + 1);
  std::optional<UserRow> user;
  if (email.ok()) {
    auto found = ctx_->store->FindUserByEmail(*email);
    if (!found.ok()) return ErrorFromStatus(found.status());
    user = std::move(*found);
  }
  // An unknown email costs one Argon2id verification too, so the answer's time does not tell
  // which emails have accounts.
  const bool ok =
      user ? (pw.size() <= kMaxPasswordLength && VerifyUserPassword(user->password_hash, pw))
           : VerifyAgainstDummy(pw);
  if (!ok) {
    throttle_.RecordFailure(req.remote_ip, throttle_email);
    return InvalidCredentials();
  }
  return SignIn(req, *user);
}

ApiResponse SessionHandler::Logout(const SessionAuth* session) {
  if (session == nullptr) {
    return ErrorResponse(400, "bad_request", "an API key has no session to end");
  }
  Status s = ctx_->store->DeleteSession(session->token_hash);
  if (!s.ok()) return ErrorFromStatus(s);
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  r.headers.emplace_back("Set-Cookie", ClearSessionCookie(ctx_->options.secure_cookie));
  return r;
}

ApiResponse SessionHandler::Me(const Principal& who, const SessionAuth* session) {
  auto account = ctx_->store->GetAccount(who.account_id);
  if (!account.ok()) return ErrorFromStatus(account.status());
  if (!*account) return ErrorResponse(404, "not_found", "account not found");
  json::object out{{"user", session ? json::value(UserJson(session->user)) : json::value()},
                   {"account", json::object{{"id", (*account)->id}, {"name", (*account)->name}}},
                   {"role", std::string(RoleName(who.role))},
                   {"csrf_token", session ? json::value(session->csrf_token) : json::value()}};
  ApiResponse r = JsonResponse(200, out);
  return r;
}

ApiResponse SessionHandler::ChangePassword(const SessionAuth* session, const ApiRequest& req) {
  if (session == nullptr) {
    return ErrorResponse(400, "bad_request",
                         "an API key has no user; sign in to change a password");
  }
  auto body = JsonBody(req);
  if (!body.ok()) return BodyError(req, body.status());
  if (Status s = CheckFieldNames(*body, {"current_password", "new_password"}, {}); !s.ok()) {
    return ErrorFromStatus(s);
  }
  auto current = RequiredString(*body, "current_password");
  if (!current.ok()) return ErrorFromStatus(current.status());
  auto next = RequiredString(*body, "new_password");
  if (!next.ok()) return ErrorFromStatus(next.status());
  if (Status s = CheckPasswordLength(*next); !s.ok()) return ErrorFromStatus(s);
  // The stored hash as it is now (the session's copy is from this request's lookup anyway).
  if (current->size() > kMaxPasswordLength ||
      !VerifyUserPassword(session->user.password_hash, *current)) {
    return ErrorResponse(403, "invalid_credentials", "current_password is wrong");
  }
  auto hash = HashUserPassword(*next);
  if (!hash.ok()) return ErrorFromStatus(hash.status());
  auto done = ctx_->store->SetUserPassword(session->who.account_id, session->who.user_id, *hash,
                                           session->token_hash);
  if (!done.ok()) return ErrorFromStatus(done.status());
  if (!*done) return ErrorResponse(404, "not_found", "user not found");
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ApiResponse SessionHandler::AcceptInvitation(const ApiRequest& req) {
  auto body = JsonBody(req);
  if (!body.ok()) return BodyError(req, body.status());
  if (Status s = CheckFieldNames(*body, {"token", "password"}, {}); !s.ok()) {
    return ErrorFromStatus(s);
  }
  auto token = RequiredString(*body, "token");
  if (!token.ok()) return ErrorFromStatus(token.status());
  auto password = RequiredString(*body, "password");
  if (!password.ok()) return ErrorFromStatus(password.status());
  if (Status s = CheckPasswordLength(*password); !s.ok()) return ErrorFromStatus(s);
  if (token->size() != 43) return ErrorResponse(404, "not_found", "no such invitation");
  auto hash = HashUserPassword(*password);
  if (!hash.ok()) return ErrorFromStatus(hash.status());
  auto user = ctx_->store->AcceptInvitation(SessionTokenHash(*token), *hash);
  if (!user.ok()) {
    const Status& s = user.status();
    if (s.code() == StatusCode::kNotFound) {
      return ErrorResponse(404, "not_found", "no such invitation");
    }
    if (s.code() == StatusCode::kFailedPrecondition) {
      return ErrorResponse(410, "gone", s.message());
    }
    if (s.code() == StatusCode::kAlreadyExists) {
      return ErrorResponse(409, "email_taken", "a user with this email exists already");
    }
    return ErrorFromStatus(s);
  }
  return SignIn(req, *user);
}

}  // namespace ct::api

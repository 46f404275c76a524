#include "api/users_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/request_fields.h"
#include "api/role_policy.h"
#include "api/session_auth.h"
#include "api/session_cookie.h"
#include "api/session_handler.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

ApiResponse NoContent() {
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ApiResponse LastOwnerOr(const Status& s) {
  if (s.code() == StatusCode::kFailedPrecondition) {
    return ErrorResponse(409, "last_owner", "an account keeps at least one owner");
  }
  return ErrorFromStatus(s);
}

// The "role" of a body, as its stored name.
Result<std::string> RoleField(const json::object& body) {
  auto name = RequiredString(body, "role");
  if (!name.ok()) return name.status();
  if (!ParseRole(*name)) return Status::InvalidArgument("role must be owner, editor or viewer");
  return name;
}

Result<json::object> JsonBody(const ApiRequest& req,
                              std::initializer_list<std::string_view> fields) {
  auto body = ParseStrictJsonObject(req.body);
  if (!body.ok()) return body.status();
  CT_RETURN_IF_ERROR(CheckFieldNames(*body, fields, {"id", "created_at"}));
  return body;
}

ApiResponse Unsupported() {
  return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
}

json::object InvitationJson(const InvitationRow& i) {
  return {{"id", i.id},
          {"email", i.email},
          {"role", i.role},
          {"created_at", FormatIso8601(i.created_at_us)},
          {"expires_at", FormatIso8601(i.expires_at_us)}};
}

}  // namespace

ApiResponse UsersHandler::List(const Principal& who) {
  auto users = ctx_->store->ListUsers(who.account_id);
  if (!users.ok()) return ErrorFromStatus(users.status());
  json::array out;
  for (const UserRow& u : *users) out.push_back(UserJson(u));
  return JsonResponse(200, json::object{{"users", std::move(out)}});
}

ApiResponse UsersHandler::UpdateRole(const Principal& who, int64_t user_id, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return Unsupported();
  auto body = JsonBody(req, {"role"});
  if (!body.ok()) return ErrorFromStatus(body.status());
  auto role = RoleField(*body);
  if (!role.ok()) return ErrorFromStatus(role.status());
  auto user = ctx_->store->SetUserRole(who.account_id, user_id, *role);
  if (!user.ok()) return LastOwnerOr(user.status());
  if (!*user) return ErrorResponse(404, "not_found", "user not found");
  return JsonResponse(200, UserJson(**user));
}

ApiResponse UsersHandler::Delete(const Principal& who, int64_t user_id) {
  auto deleted = ctx_->store->DeleteUser(who.account_id, user_id);
  if (!deleted.ok()) return LastOwnerOr(deleted.status());
  if (!*deleted) return ErrorResponse(404, "not_found", "user not found");
  return NoContent();
}

ApiResponse UsersHandler::Invite(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return Unsupported();
  auto body = JsonBody(req, {"email", "role"});
  if (!body.ok()) return ErrorFromStatus(body.status());
  auto email_in = RequiredString(*body, "email");
  if (!email_in.ok()) return ErrorFromStatus(email_in.status());
  auto email = NormalizeEmail(*email_in);
  if (!email.ok()) return ErrorFromStatus(email.status());
  auto role = RoleField(*body);
  if (!role.ok()) return ErrorFromStatus(role.status());
  auto existing = ctx_->store->FindUserByEmail(*email);
  if (!existing.ok()) return ErrorFromStatus(existing.status());
  if (existing->has_value()) {
    return ErrorResponse(409, "email_taken", "a user with this email exists already");
  }
  const std::string token = NewSecretToken();
  const int64_t now = (ctx_->clock ? ctx_->clock : Clock::System())->NowMicros();
  auto inv = ctx_->store->CreateInvitation(
      {who.account_id, *email, *role, SessionTokenHash(token), now + kInvitationTtlUs});
  if (!inv.ok()) return ErrorFromStatus(inv.status());
  json::object out = InvitationJson(*inv);
  out["token"] = token;
  out["accept_url"] = ctx_->options.public_url + "/ui/#/accept/" + token;
  ApiResponse r = JsonResponse(201, out);
  return r;
}

ApiResponse UsersHandler::ListInvitations(const Principal& who) {
  auto list = ctx_->store->ListInvitations(who.account_id);
  if (!list.ok()) return ErrorFromStatus(list.status());
  json::array out;
  for (const InvitationRow& i : *list) out.push_back(InvitationJson(i));
  return JsonResponse(200, json::object{{"invitations", std::move(out)}});
}

ApiResponse UsersHandler::DeleteInvitation(const Principal& who, int64_t invitation_id) {
  auto deleted = ctx_->store->DeleteInvitation(who.account_id, invitation_id);
  if (!deleted.ok()) return ErrorFromStatus(deleted.status());
  if (!*deleted) return ErrorResponse(404, "not_found", "invitation not found");
  return NoContent();
}

}  // namespace ct::api

#include "api/role_policy.h"

namespace ct::api {
namespace {

bool IsRead(std::string_view method) { return method == "GET" || method == "HEAD"; }

// What any signed-in user may do to itself, whatever its role.
bool IsSelfService(std::string_view method, const std::vector<std::string_view>& seg) {
  if (method == "DELETE" && seg.size() == 4) return seg[2] == "sessions" && seg[3] == "current";
  if (method == "POST" && seg.size() == 5) {
    return seg[2] == "users" && seg[3] == "me" && seg[4] == "password";
  }
  return false;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kEditor:
      return "editor";
    case Role::kOwner:
      return "owner";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "editor") return Role::kEditor;
  if (name == "viewer") return Role::kViewer;
  return std::nullopt;
}

bool RoleAllows(Role role, std::string_view method, const std::vector<std::string_view>& seg) {
  if (role == Role::kOwner) return true;
  if (seg.size() < 3) return true;  // not a resource: the router answers 404
  if (IsSelfService(method, seg)) return true;
  // Invitations (their tokens) and API keys are the owner's alone, even to read: a viewer must
  // not see more than an editor.
  std::string_view r = seg[2];
  if (r == "invitations" || r == "api-keys") return false;
  if (role == Role::kViewer) return IsRead(method);
  // Editor: the account's people and settings are the owner's to change.
  if (r == "users" || r == "account") return IsRead(method);
  return true;
}

}  // namespace ct::api

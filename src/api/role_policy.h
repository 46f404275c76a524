// Which role may make which API request (README "Users and sessions"): a viewer only reads
// (GET/HEAD; not invitations or API keys), but may sign itself out and change its own password;
// an editor may do everything but manage users, invitations, API keys and the account; an owner
// may do all. API keys act as owners. Pure logic, checked after authentication and before the
// route.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "api/auth.h"

namespace ct::api {

std::string_view RoleName(Role role);  // "owner", "editor", "viewer"
std::optional<Role> ParseRole(std::string_view name);

// `seg` is the path split on '/', starting "api", "v1", resource, ...
bool RoleAllows(Role role, std::string_view method, const std::vector<std::string_view>& seg);

}  // namespace ct::api

#include "api/account_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

json::object AccountJson(const AccountRow& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"unique_definition", std::string(UniqueDefinitionName(a.unique_definition))},
          {"created_at", FormatIso8601(a.created_at_us)}};
}

ApiResponse Found(const Result<std::optional<AccountRow>>& a) {
  if (!a.ok()) return ErrorFromStatus(a.status());
  // A valid key of a missing account cannot happen (keys reference accounts); say so plainly.
  if (!*a) return ErrorResponse(404, "not_found", "account not found");
  return JsonResponse(200, AccountJson(**a));
}

}  // namespace

ApiResponse AccountHandler::Get(const Principal& who) {
  return Found(ctx_->store->GetAccount(who.account_id));
}

ApiResponse AccountHandler::Update(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  AccountUpdate update;
  for (const auto& [key, value] : *obj) {
    if (key != "unique_definition") {
      return ErrorResponse(400, "bad_request", "field '" + std::string(key) + "' cannot be set");
    }
    std::optional<UniqueDefinition> d;
    if (value.is_string()) d = ParseUniqueDefinition(std::string(value.get_string()));
    if (!d) {
      return ErrorResponse(400, "bad_request",
                           "unique_definition must be \"per_visitor_day\" or \"ip_30min\"");
    }
    update.unique_definition = *d;
  }
  return Found(ctx_->store->UpdateAccount(who.account_id, update));
}

}  // namespace ct::api

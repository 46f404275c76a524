// /api/v1/postbacks: the account's postback endpoints (api/postback_fields.h for the object,
// which fields are read-only, and when the secret is shown). Create, list, get, update
// (incl. re-enable and secret rotation), delete. Account-scoped: another account's postback,
// or a goal_ids entry naming another account's goal, is a 404 like a missing one.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class PostbacksHandler {
 public:
  explicit PostbacksHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who);
  ApiResponse Get(const Principal& who, int64_t id);
  ApiResponse Update(const Principal& who, int64_t id, const ApiRequest& req);
  ApiResponse Delete(const Principal& who, int64_t id);

 private:
  // OK, or the error response for the first id that is not a live goal of the account.
  std::optional<ApiResponse> CheckGoals(const Principal& who, const std::vector<int64_t>& ids);

  const ApiContext* ctx_;
};

}  // namespace ct::api

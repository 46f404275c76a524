// /api/v1/account: the caller's own account (the key's; there is no account id in the path, so
// no other account can be named). GET shows it; PATCH changes its settings — today only
// "unique_definition": "per_visitor_day" (default) or "ip_30min" (store.h UniqueDefinition),
// which applies to clicks the tracker commits from then on; past uniques are not recomputed.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class AccountHandler {
 public:
  explicit AccountHandler(const ApiContext* ctx) : ctx_(ctx) {}

  ApiResponse Get(const Principal& who);
  ApiResponse Update(const Principal& who, const ApiRequest& req);

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api

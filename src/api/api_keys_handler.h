// /api/v1/api-keys (owner): list an account's keys (prefix only, never the key), create one
// (the key is in that answer only; the store keeps its SHA-256) and revoke one. A revoked key
// is refused from the next request on: Authenticate asks the store every time, and the key is
// dropped from the fallback cache so not even a store outage brings it back.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class ApiKeysHandler {
 public:
  ApiKeysHandler(const ApiContext* ctx, KeyFallbackCache* cache) : ctx_(ctx), cache_(cache) {}

  ApiResponse List(const Principal& who);
  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse Revoke(const Principal& who, int64_t key_id);

 private:
  const ApiContext* ctx_;
  KeyFallbackCache* cache_;
};

}  // namespace ct::api

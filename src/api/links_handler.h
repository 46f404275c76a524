// /api/v1/links: create, list (paginated), get, update, delete — always scoped to the caller's
// account, so another account's link is a 404 exactly like a missing one.
#pragma once

#include <cstdint>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;  // bigger `limit`s are capped, not refused
inline constexpr int kSlugAttempts = 8;    // generated-slug collisions before giving up

class LinksHandler {
 public:
  explicit LinksHandler(const ApiContext* ctx) : ctx_(ctx) {}

  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who, const ApiRequest& req);
  ApiResponse Get(const Principal& who, int64_t id);
  ApiResponse Update(const Principal& who, int64_t id, const ApiRequest& req);
  ApiResponse Delete(const Principal& who, int64_t id);
  // GET /api/v1/links/{id}/qr?format=png|svg&size=N: the short URL as a QR code.
  ApiResponse Qr(const Principal& who, int64_t id, const ApiRequest& req);

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api

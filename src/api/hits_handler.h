// GET /api/v1/links/{id}/hits?limit=1..1000(100)&after=CURSOR: the link's raw hits, newest first
// (README "Hits"). The cursor is opaque to clients: base64url of the last hit's time (8 bytes,
// big endian) and event id (16 bytes); "next" is null on the last page. Raw hits are kept for
// tracker.hits_retention_days only.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"
#include "store/store.h"

namespace ct::api {

inline constexpr int kDefaultHitsLimit = 100;
inline constexpr int kMaxHitsLimit = 1000;

// One hit as the hits list shows it (also the data of the live stream's events).
boost::json::object HitToJson(const HitRow& h);

std::string EncodeHitCursor(const HitCursor& c);
// False for anything EncodeHitCursor did not produce (wrong length or alphabet).
bool DecodeHitCursor(std::string_view text, HitCursor* out);

class HitsHandler {
 public:
  explicit HitsHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse List(const Principal& who, int64_t link_id, const ApiRequest& req);

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api

// /api/v1/pixels: tracking pixels. A pixel is a link row of kind kPixel (store/store.h): no
// destination, default options, the same (domain, slug) namespace as links. Its object:
//   slug?, domain?, title?, tags?, group?   as for links (api/link_fields.h); the domain cannot
//                                            change after creation
//   read-only: id, kind, pixel_url (public_url + "/p/" + slug + ".gif", or the custom domain
//   with public_url's scheme), img_tag (an <img> of 1x1 to paste into a page or an email),
//   created_at, updated_at; link-only fields (destination, rules, ...) are refused.
// Links and pixels are kept apart: /links lists only links and /links/{id}[/...] of a pixel is
// a 404, and /pixels/{id}[/...] of a link is a 404 (ApiRouter checks with LinkIsKind).
// Stats and hits of a pixel are the link reports' (impressions count as a link's clicks).
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class PixelsHandler {
 public:
  explicit PixelsHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who, const ApiRequest& req);
  ApiResponse Get(const Principal& who, int64_t id);
  ApiResponse Update(const Principal& who, int64_t id, const ApiRequest& req);
  ApiResponse Delete(const Principal& who, int64_t id);

 private:
  const ApiContext* ctx_;
};

// True if `id` is a link of the account of that kind, deleted or not (deleted links still
// report); false if missing, another account's or of the other kind.
Result<bool> LinkIsKind(Store& store, int64_t account_id, int64_t id, LinkKind kind);

std::string PixelUrl(const LinkRow& pixel, std::string_view public_url);

}  // namespace ct::api

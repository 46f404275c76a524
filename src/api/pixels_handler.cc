#include "api/pixels_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/link_fields.h"
#include "api/links_handler.h"
#include "api/request_fields.h"
#include "api/slug.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

ApiResponse NotFound() { return ErrorResponse(404, "not_found", "pixel not found"); }

ApiResponse UnsupportedJson() {
  return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
}

// The pixel's fields, checked by the link rules; everything else a link has is refused.
Result<LinkInput> ReadPixelInput(const json::object& body) {
  CT_RETURN_IF_ERROR(CheckFieldNames(
      body, {"slug", "domain", "title", "tags", "group"},
      {"id", "account_id", "kind", "pixel_url", "img_tag", "created_at", "updated_at"}));
  return ParseLinkInput(body, {});
}

json::object PixelToJson(const LinkRow& p, std::string_view public_url) {
  const std::string url = PixelUrl(p, public_url);
  json::object o;
  o["id"] = p.id;
  o["kind"] = "pixel";
  o["slug"] = p.slug;
  o["domain"] = p.domain;
  o["pixel_url"] = url;
  // The slug ([A-Za-z0-9_-]) and the host (DNS syntax) need no HTML escaping.
  o["img_tag"] =
      "<img src=\"" + url + "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
  o["title"] = p.title;
  json::array tags;
  for (const auto& t : p.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  o["group"] = p.group;
  o["created_at"] = FormatIso8601(p.created_at_us);
  o["updated_at"] = FormatIso8601(p.updated_at_us);
  return o;
}

}  // namespace

std::string PixelUrl(const LinkRow& pixel, std::string_view public_url) {
  std::string base(public_url);
  if (!pixel.domain.empty()) {
    size_t colon = public_url.find("://");
    base = std::string(colon == std::string_view::npos ? "https" : public_url.substr(0, colon)) +
           "://" + pixel.domain;
  }
  return base + "/p/" + pixel.slug + ".gif";
}

Result<bool> LinkIsKind(Store& store, int64_t account_id, int64_t id, LinkKind kind) {
  auto link = store.GetLink(account_id, id);
  if (!link.ok()) return link.status();
  return link->has_value() && (*link)->kind == kind;
}

ApiResponse PixelsHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  auto in = ReadPixelInput(*obj);
  if (!in.ok()) return ErrorFromStatus(in.status());
  NewLink nl;
  nl.account_id = who.account_id;
  nl.kind = LinkKind::kPixel;
  nl.domain = in->domain.value_or("");
  nl.title = in->title.value_or("");
  nl.group = in->group.value_or("");
  nl.tags = in->tags.value_or(std::vector<std::string>{});
  const bool generate = !in->slug || in->slug->empty();
  for (int attempt = 0;; ++attempt) {
    nl.slug = generate ? GenerateSlug() : *in->slug;
    auto created = ctx_->store->CreateLink(nl);
    if (created.ok()) {
      if (ctx_->links_changed) ctx_->links_changed();
      return JsonResponse(201, PixelToJson(*created, ctx_->options.public_url));
    }
    if (created.status().code() != StatusCode::kAlreadyExists) {
      return ErrorFromStatus(created.status());
    }
    if (!generate) return ErrorResponse(409, "slug_taken", "slug is already taken");
    if (attempt + 1 >= kSlugAttempts) {
      return ErrorResponse(503, "unavailable", "could not find a free slug; try again");
    }
  }
}

ApiResponse PixelsHandler::List(const Principal& who, const ApiRequest& req) {
  auto q = ReadQuery(req.target, {"cursor", "limit", "tag", "group", "domain"});
  if (!q.ok()) return ErrorFromStatus(q.status());
  LinkFilter f;
  f.kind = LinkKind::kPixel;
  int64_t after = 0;
  int limit = kDefaultPageSize;
  for (const auto& [k, v] : *q) {
    if (k == "cursor") {
      auto id = PositiveIdParam(v, "cursor");
      if (!id.ok()) return ErrorResponse(400, "bad_request", "cursor is not one this API returned");
      after = *id;
    } else if (k == "limit") {
      auto n = LimitParam(v, kMaxPageSize);
      if (!n.ok()) return ErrorFromStatus(n.status());
      limit = *n;
    } else if (k == "tag") {
      f.tag = v;
    } else if (k == "group") {
      f.group = v;
    } else if (k == "domain") {
      auto host = v.empty() ? Result<std::string>(std::string()) : NormalizeHost(v);
      if (!host.ok()) return ErrorFromStatus(host.status());
      f.domain = *host;
    }
  }
  auto page = ctx_->store->ListLinks(who.account_id, f, after, limit);
  if (!page.ok()) return ErrorFromStatus(page.status());
  json::array out;
  for (const LinkRow& p : page->links) out.push_back(PixelToJson(p, ctx_->options.public_url));
  std::optional<std::string> next;
  if (page->next_after_id) next = std::to_string(*page->next_after_id);
  return PageResponse("pixels", std::move(out), next);
}

ApiResponse PixelsHandler::Get(const Principal& who, int64_t id) {
  auto p = ctx_->store->GetLink(who.account_id, id);
  if (!p.ok()) return ErrorFromStatus(p.status());
  if (!p->has_value() || (*p)->deleted || (*p)->kind != LinkKind::kPixel) return NotFound();
  return JsonResponse(200, PixelToJson(**p, ctx_->options.public_url));
}

ApiResponse PixelsHandler::Update(const Principal& who, int64_t id, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  auto in = ReadPixelInput(*obj);
  if (!in.ok()) return ErrorFromStatus(in.status());
  auto current = ctx_->store->GetLink(who.account_id, id);
  if (!current.ok()) return ErrorFromStatus(current.status());
  if (!current->has_value() || (*current)->deleted || (*current)->kind != LinkKind::kPixel) {
    return NotFound();
  }
  if (in->domain && *in->domain != (*current)->domain) {
    return ErrorResponse(400, "bad_request",
                         "domain cannot be changed; create a new pixel on the other domain");
  }
  LinkUpdate up;
  up.slug = std::move(in->slug);
  up.title = std::move(in->title);
  up.tags = std::move(in->tags);
  up.group = std::move(in->group);
  auto updated = ctx_->store->UpdateLink(who.account_id, id, up);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kAlreadyExists) {
      return ErrorResponse(409, "slug_taken", "slug is already taken");
    }
    return ErrorFromStatus(updated.status());
  }
  if (!updated->has_value()) return NotFound();
  if (ctx_->links_changed) ctx_->links_changed();
  return JsonResponse(200, PixelToJson(**updated, ctx_->options.public_url));
}

ApiResponse PixelsHandler::Delete(const Principal& who, int64_t id) {
  auto is_pixel = LinkIsKind(*ctx_->store, who.account_id, id, LinkKind::kPixel);
  if (!is_pixel.ok()) return ErrorFromStatus(is_pixel.status());
  if (!*is_pixel) return NotFound();
  auto deleted = ctx_->store->DeleteLink(who.account_id, id);
  if (!deleted.ok()) return ErrorFromStatus(deleted.status());
  if (!*deleted) return NotFound();
  if (ctx_->links_changed) ctx_->links_changed();
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace ct::api

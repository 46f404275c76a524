#include "api/links_handler.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

#include "api/destination.h"
#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/qr_code.h"
#include "api/slug.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

json::object LinkJson(const ApiContext& ctx, const LinkRow& l) {
  json::object o;
  o["id"] = l.id;
  o["slug"] = l.slug;
  o["short_url"] = ctx.options.public_url + "/" + l.slug;
  o["destination"] = l.destination;
  o["created_at"] = FormatIso8601(l.created_at_us);
  o["updated_at"] = FormatIso8601(l.updated_at_us);
  return o;
}

// Reads the JSON body of a create or update: only `destination` and `slug` may be set by a
// client (OWASP API3); anything else — id, account_id, created_at, unknown names — is a 400.
struct LinkFields {
  std::optional<std::string> destination;
  std::optional<std::string> slug;
};

Result<LinkFields> ParseLinkFields(const ApiRequest& req) {
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return obj.status();
  LinkFields f;
  for (const auto& [key, value] : *obj) {
    if (key == "destination" || key == "slug") {
      if (!value.is_string()) {
        return Status::InvalidArgument("field '" + std::string(key) + "' must be a string");
      }
      std::string s(value.as_string());
      (key == "destination" ? f.destination : f.slug) = std::move(s);
    } else {
      return Status::InvalidArgument("field '" + std::string(key) + "' cannot be set");
    }
  }
  return f;
}

ApiResponse NotFound() { return ErrorResponse(404, "not_found", "link not found"); }

}  // namespace

ApiResponse LinksHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  auto fields = ParseLinkFields(req);
  if (!fields.ok()) return ErrorFromStatus(fields.status());
  if (!fields->destination) return ErrorResponse(400, "bad_request", "destination is required");
  auto dest = ValidateDestination(*fields->destination);
  if (!dest.ok()) return ErrorFromStatus(dest.status());
  if (fields->slug) {
    Status s = ValidateSlug(*fields->slug);
    if (!s.ok()) return ErrorFromStatus(s);
  }
  NewLink nl{who.account_id, fields->slug.value_or(""), *dest};
  for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
    if (!fields->slug) nl.slug = GenerateSlug();
    auto created = ctx_->store->CreateLink(nl);
    if (created.ok()) {
      if (ctx_->links_changed) ctx_->links_changed();
      return JsonResponse(201, LinkJson(*ctx_, *created));
    }
    if (created.status().code() != StatusCode::kAlreadyExists) {
      return ErrorFromStatus(created.status());
    }
    if (fields->slug) return ErrorResponse(409, "conflict", "slug is already taken");
  }
  return ErrorResponse(503, "unavailable", "could not find a free slug; try again");
}

ApiResponse LinksHandler::List(const Principal& who, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  int64_t after = 0;
  int limit = kDefaultPageSize;
  for (auto p : u->params()) {
    std::string_view v = p.value;
    if (p.key == "limit") {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec == std::errc::result_out_of_range)
        n = kMaxPageSize;
      else if (ec != std::errc() || ptr != v.data() + v.size() || n < 1) {
        return ErrorResponse(400, "bad_request", "limit must be a positive integer");
      }
      limit = static_cast<int>(std::min<int64_t>(n, kMaxPageSize));
    } else if (p.key == "cursor") {
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), after);
      if (ec != std::errc() || ptr != v.data() + v.size() || after < 0) {
        return ErrorResponse(400, "bad_request", "cursor is not one this API returned");
      }
    }
  }
  auto page = ctx_->store->ListLinks(who.account_id, {}, after, limit);
  if (!page.ok()) return ErrorFromStatus(page.status());
  json::array links;
  for (const auto& l : page->links) links.push_back(LinkJson(*ctx_, l));
  json::object body;
  body["links"] = std::move(links);
  if (page->next_after_id) {
    body["next_cursor"] = std::to_string(*page->next_after_id);
  } else {
    body["next_cursor"] = nullptr;
  }
  return JsonResponse(200, body);
}

ApiResponse LinksHandler::Get(const Principal& who, int64_t id) {
  auto link = ctx_->store->GetLink(who.account_id, id);
  if (!link.ok()) return ErrorFromStatus(link.status());
  if (!link->has_value() || (*link)->deleted) return NotFound();
  return JsonResponse(200, LinkJson(*ctx_, **link));
}

ApiResponse LinksHandler::Update(const Principal& who, int64_t id, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  auto fields = ParseLinkFields(req);
  if (!fields.ok()) return ErrorFromStatus(fields.status());
  LinkUpdate up;
  if (fields->destination) {
    auto dest = ValidateDestination(*fields->destination);
    if (!dest.ok()) return ErrorFromStatus(dest.status());
    up.destination = *dest;
  }
  if (fields->slug) {
    Status s = ValidateSlug(*fields->slug);
    if (!s.ok()) return ErrorFromStatus(s);
    up.slug = *fields->slug;
  }
  auto updated = ctx_->store->UpdateLink(who.account_id, id, up);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kAlreadyExists) {
      return ErrorResponse(409, "conflict", "slug is already taken");
    }
    return ErrorFromStatus(updated.status());
  }
  if (!updated->has_value()) return NotFound();
  if (ctx_->links_changed) ctx_->links_changed();
  return JsonResponse(200, LinkJson(*ctx_, **updated));
}

ApiResponse LinksHandler::Delete(const Principal& who, int64_t id) {
  auto deleted = ctx_->store->DeleteLink(who.account_id, id);
  if (!deleted.ok()) return ErrorFromStatus(deleted.status());
  if (!*deleted) return NotFound();
  if (ctx_->links_changed) ctx_->links_changed();
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ApiResponse LinksHandler::Qr(const Principal& who, int64_t id, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  QrFormat format = QrFormat::kPng;
  int size = kDefaultQrSize;
  for (auto p : u->params()) {
    std::string_view v = p.value;
    if (p.key == "format") {
      if (v == "png")
        format = QrFormat::kPng;
      else if (v == "svg")
        format = QrFormat::kSvg;
      else
        return ErrorResponse(400, "bad_request", "format must be png or svg");
    } else if (p.key == "size") {
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), size);
      if (ec != std::errc() || ptr != v.data() + v.size() || size < kMinQrSize ||
          size > kMaxQrSize) {
        return ErrorResponse(400, "bad_request",
                             "size must be an integer from " + std::to_string(kMinQrSize) + " to " +
                                 std::to_string(kMaxQrSize));
      }
    }
  }
  auto link = ctx_->store->GetLink(who.account_id, id);
  if (!link.ok()) return ErrorFromStatus(link.status());
  if (!link->has_value() || (*link)->deleted) return NotFound();
  auto image = RenderQr(ctx_->options.public_url + "/" + (*link)->slug, format, size);
  if (!image.ok()) return ErrorFromStatus(image.status());
  ApiResponse r;
  r.status = 200;
  r.content_type = format == QrFormat::kPng ? "image/png" : "image/svg+xml";
  r.body = std::move(*image);
  return r;
}

}  // namespace ct::api

#include "api/postbacks_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/postback_fields.h"
#include "postback/signature.h"

namespace ct::api {
namespace {

namespace json = boost::json;

ApiResponse NotFound() { return ErrorResponse(404, "not_found", "postback not found"); }

ApiResponse UnsupportedJson() {
  return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
}

}  // namespace

std::optional<ApiResponse> PostbacksHandler::CheckGoals(const Principal& who,
                                                        const std::vector<int64_t>& ids) {
  for (int64_t id : ids) {
    auto g = ctx_->store->GetGoal(who.account_id, id);
    if (!g.ok()) return ErrorFromStatus(g.status());
    if (!g->has_value() || (*g)->deleted) {
      return ErrorResponse(404, "not_found", "goal " + std::to_string(id) + " not found");
    }
  }
  return std::nullopt;
}

ApiResponse PostbacksHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  TargetCheck refused;
  auto in = ParsePostbackInput(*obj, /*patch=*/false, ctx_->options.ssrf, &refused);
  if (!in.ok()) return TargetErrorResponse(refused);
  if (!in->name) return ErrorResponse(400, "bad_request", "name is required");
  if (!in->url) return ErrorResponse(400, "bad_request", "url is required");
  NewPostback np;
  np.account_id = who.account_id;
  np.name = std::move(*in->name);
  np.url_template = std::move(*in->url);
  if (in->method) np.method = *in->method;
  if (in->events) np.events = *in->events;
  if (in->goal_ids) {
    if (auto bad = CheckGoals(who, *in->goal_ids)) return *bad;
    np.goal_ids = *in->goal_ids;
  }
  if (in->attributed_only) np.attributed_only = *in->attributed_only;
  np.secret = postback::NewSecret();
  auto created = ctx_->store->CreatePostback(np);
  if (!created.ok()) return ErrorFromStatus(created.status());
  if (in->disabled.value_or(false)) {
    PostbackUpdate up;
    up.disabled = true;
    auto paused = ctx_->store->UpdatePostback(who.account_id, created->id, up);
    if (!paused.ok()) return ErrorFromStatus(paused.status());
    if (paused->has_value()) *created = **paused;
  }
  return JsonResponse(201, PostbackToJson(*created, /*show_secret=*/true));
}

ApiResponse PostbacksHandler::List(const Principal& who) {
  auto list = ctx_->store->ListPostbacks(who.account_id);
  if (!list.ok()) return ErrorFromStatus(list.status());
  json::array out;
  for (const PostbackRow& p : *list) out.push_back(PostbackToJson(p, /*show_secret=*/false));
  return JsonResponse(200, json::object{{"postbacks", std::move(out)}});
}

ApiResponse PostbacksHandler::Get(const Principal& who, int64_t id) {
  auto p = ctx_->store->GetPostback(who.account_id, id);
  if (!p.ok()) return ErrorFromStatus(p.status());
  if (!p->has_value() || (*p)->deleted) return NotFound();
  return JsonResponse(200, PostbackToJson(**p, /*show_secret=*/false));
}

ApiResponse PostbacksHandler::Update(const Principal& who, int64_t id, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  TargetCheck refused;
  auto in = ParsePostbackInput(*obj, /*patch=*/true, ctx_->options.ssrf, &refused);
  if (!in.ok()) return TargetErrorResponse(refused);
  if (in->goal_ids) {
    if (auto bad = CheckGoals(who, *in->goal_ids)) return *bad;
  }
  PostbackUpdate up;
  up.name = std::move(in->name);
  up.url_template = std::move(in->url);
  up.method = std::move(in->method);
  up.events = in->events;
  up.goal_ids = std::move(in->goal_ids);
  up.attributed_only = in->attributed_only;
  up.disabled = in->disabled;
  if (in->rotate_secret) up.secret = postback::NewSecret();
  auto updated = ctx_->store->UpdatePostback(who.account_id, id, up);
  if (!updated.ok()) return ErrorFromStatus(updated.status());
  if (!updated->has_value() || (*updated)->deleted) return NotFound();
  return JsonResponse(200, PostbackToJson(**updated, /*show_secret=*/in->rotate_secret));
}

ApiResponse PostbacksHandler::Delete(const Principal& who, int64_t id) {
  auto deleted = ctx_->store->DeletePostback(who.account_id, id);
  if (!deleted.ok()) return ErrorFromStatus(deleted.status());
  if (!*deleted) return NotFound();
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace ct::api

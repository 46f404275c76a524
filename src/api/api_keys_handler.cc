#include "api/api_keys_handler.h"

#include <boost/json.hpp>

#include "api/api_key.h"
#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/request_fields.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

json::object KeyJson(const ApiKeyRow& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"prefix", k.prefix},
          {"created_at", FormatIso8601(k.created_at_us)},
          {"revoked_at",
           k.revoked_at_us ? json::value(FormatIso8601(*k.revoked_at_us)) : json::value()}};
}

}  // namespace

ApiResponse ApiKeysHandler::List(const Principal& who) {
  auto keys = ctx_->store->ListApiKeys(who.account_id);
  if (!keys.ok()) return ErrorFromStatus(keys.status());
  json::array out;
  for (const ApiKeyRow& k : *keys) out.push_back(KeyJson(k));
  return JsonResponse(200, json::object{{"api_keys", std::move(out)}});
}

ApiResponse ApiKeysHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  auto body = ParseStrictJsonObject(req.body);
  if (!body.ok()) return ErrorFromStatus(body.status());
  if (Status s = CheckFieldNames(*body, {"name"}, {"id", "prefix", "key", "created_at"}); !s.ok()) {
    return ErrorFromStatus(s);
  }
  const json::value* name_v = body->if_contains("name");
  if (name_v == nullptr) return ErrorResponse(400, "bad_request", "name is required");
  auto name = TextField(*name_v, "name", 100);
  if (!name.ok()) return ErrorFromStatus(name.status());
  NewApiKey key = GenerateApiKey();
  auto row = ctx_->store->CreateApiKey({who.account_id, *name, key.hash, key.prefix});
  if (!row.ok()) return ErrorFromStatus(row.status());
  json::object out{{"id", row->id},
                   {"name", row->name},
                   {"prefix", row->prefix},
                   {"key", key.key},
                   {"created_at", FormatIso8601(row->created_at_us)}};
  ApiResponse r = JsonResponse(201, out);
  return r;
}

ApiResponse ApiKeysHandler::Revoke(const Principal& who, int64_t key_id) {
  auto revoked = ctx_->store->RevokeApiKey(who.account_id, key_id);
  if (!revoked.ok()) return ErrorFromStatus(revoked.status());
  if (!*revoked) return ErrorResponse(404, "not_found", "API key not found");
  if (cache_ != nullptr) cache_->ForgetKeyId(key_id);
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace ct::api

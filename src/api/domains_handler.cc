#include "api/domains_handler.h"

#include <boost/json.hpp>

#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/link_fields.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

json::object DomainJson(const DomainRow& d) {
  return {{"id", d.id}, {"host", d.host}, {"created_at", FormatIso8601(d.created_at_us)}};
}

// The host of public_url: the default domain's, which no account may claim.
std::string PublicHost(std::string_view public_url) {
  size_t start = public_url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::string_view rest = public_url.substr(start);
  rest = rest.substr(0, rest.find_first_of("/:"));
  auto host = NormalizeHost(rest);
  return host.ok() ? *host : std::string(rest);
}

}  // namespace

ApiResponse DomainsHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  const json::value* host_value = obj->if_contains("host");
  if (obj->size() != 1 || !host_value || !host_value->is_string()) {
    return ErrorResponse(400, "bad_request", "body must be {\"host\": \"go.example.com\"}");
  }
  auto host = NormalizeHost(host_value->get_string());
  if (!host.ok()) return ErrorFromStatus(host.status());
  if (*host == PublicHost(ctx_->options.public_url)) {
    return ErrorResponse(400, "bad_request", "host is the server's own default domain");
  }
  auto created = ctx_->store->CreateDomain(who.account_id, *host);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kAlreadyExists) {
      return ErrorResponse(409, "domain_taken", "domain is already registered");
    }
    return ErrorFromStatus(created.status());
  }
  if (ctx_->links_changed) ctx_->links_changed();
  return JsonResponse(201, DomainJson(*created));
}

ApiResponse DomainsHandler::List(const Principal& who) {
  auto domains = ctx_->store->ListDomains(who.account_id);
  if (!domains.ok()) return ErrorFromStatus(domains.status());
  json::array out;
  for (const auto& d : *domains) out.push_back(DomainJson(d));
  return JsonResponse(200, json::object{{"domains", std::move(out)}});
}

ApiResponse DomainsHandler::Delete(const Principal& who, int64_t id) {
  auto deleted = ctx_->store->DeleteDomain(who.account_id, id);
  if (!deleted.ok()) {
    if (deleted.status().code() == StatusCode::kFailedPrecondition) {
      return ErrorResponse(409, "domain_in_use", deleted.status().message());
    }
    return ErrorFromStatus(deleted.status());
  }
  if (!*deleted) return ErrorResponse(404, "not_found", "domain not found");
  if (ctx_->links_changed) ctx_->links_changed();
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace ct::api

#include "api/target_check.h"

#include <string>

#include "api/http_util.h"
#include "postback/template.h"

namespace ct::api {

TargetCheck CheckTarget(std::string_view url, const postback::SsrfPolicy& policy,
                        std::string_view field) {
  const std::string at(field);
  if (url.size() > postback::kMaxTemplateBytes) {
    return {Status::InvalidArgument(at + " is longer than " +
                                    std::to_string(postback::kMaxTemplateBytes) + " bytes")};
  }
  if (Status s = postback::ValidateTemplate(url); !s.ok()) return {s.Annotate(at)};
  if (Status s = postback::CheckTargetUrl(url, policy); !s.ok()) return {s.Annotate(at), true};
  return {Status::Ok()};
}

ApiResponse TargetErrorResponse(const TargetCheck& check) {
  return ErrorResponse(400, check.ssrf ? "ssrf_refused" : "bad_request", check.status.message());
}

}  // namespace ct::api

// Postback and piggyback target URLs, checked when saved: the template's structure
// (postback::ValidateTemplate: http(s), known macros, none in scheme/host/port) and then its
// host against the SSRF policy (postback::CheckTargetUrl: private and loopback ranges in every
// numeric spelling, localhost, our own hosts, ports). The notifier checks again against the
// address it connects to; this check only gives the client its error early.
#pragma once

#include <string_view>

#include "common/status.h"
#include "edge/api_handler.h"
#include "postback/ssrf.h"

namespace ct::api {

struct TargetCheck {
  Status status;      // kInvalidArgument naming `field` when refused
  bool ssrf = false;  // refused by the SSRF policy (not by the template's syntax)
  bool ok() const { return status.ok(); }
};

TargetCheck CheckTarget(std::string_view url, const postback::SsrfPolicy& policy,
                        std::string_view field);

// 400 with code "ssrf_refused" for an SSRF refusal, "bad_request" otherwise.
ApiResponse TargetErrorResponse(const TargetCheck& check);

}  // namespace ct::api

// The postback object of the REST API (docs/design/conversions.md "Outbox"):
//
//   name             required on create; 1..128 bytes
//   url              required on create; an http(s) URL template (postback/template.h macros in
//                    path, query, fragment), checked as a postback target (api/target_check.h;
//                    an SSRF refusal is a 400 with code "ssrf_refused")
//   method           GET (default; macros in the URL) | POST (plus a signed JSON body)
//   events           non-empty subset of ["conversion", "click", "impression"]; default
//                    ["conversion"]
//   goal_ids         conversions of these goals only ([] = every goal; each must be a goal of
//                    the account, else 404 "goal N not found"); at most kMaxPostbackGoals
//   attributed_only  default true: conversions without a click do not fire it
//   disabled         false re-enables a postback a 410 disabled; true pauses it (its
//                    deliveries wait, they are not dropped)
//   rotate_secret    PATCH only: true draws a new secret (the old one stops signing at once)
// Read-only (400 if sent): id, account_id, secret, secret_prefix, disabled_reason,
// disabled_at, created_at, updated_at. The secret is always drawn by the API (a chosen secret
// could be weak).
//
// The secret ("whsec_..." Standard Webhooks) is shown whole only in the answer to POST and to
// a PATCH that rotates it; GET and the list show `secret_prefix` (its first 10 characters, to
// tell secrets apart). A lost secret is replaced by rotating it: a read of the configuration
// (a support screen, a log of API answers) must not leak what signs the account's postbacks.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/target_check.h"
#include "store/store.h"

namespace ct::api {

inline constexpr size_t kMaxPostbackNameBytes = 128;
inline constexpr size_t kMaxPostbackGoals = 100;
inline constexpr size_t kSecretPrefixChars = 10;

struct PostbackInput {
  std::optional<std::string> name, url, method;
  std::optional<uint32_t> events;
  std::optional<std::vector<int64_t>> goal_ids;
  std::optional<bool> attributed_only, disabled;
  bool rotate_secret = false;
};

// `patch` allows rotate_secret. A refused body: `refused` says why (and whether SSRF).
Result<PostbackInput> ParsePostbackInput(const boost::json::object& body, bool patch,
                                         const postback::SsrfPolicy& policy, TargetCheck* refused);

// `show_secret`: the whole secret (create, rotation); otherwise only secret_prefix.
boost::json::object PostbackToJson(const PostbackRow& p, bool show_secret);

}  // namespace ct::api

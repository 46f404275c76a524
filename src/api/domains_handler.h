// /api/v1/domains: an account's custom domains (create, list, delete). A host belongs to one
// account at a time (409 domain_taken otherwise, without saying whose); a domain with live links
// cannot be deleted (409 domain_in_use). The edge learns of every change through the store's
// change feed (LinksChangedSince), woken by links_changed.
#pragma once

#include <cstdint>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

class DomainsHandler {
 public:
  explicit DomainsHandler(const ApiContext* ctx) : ctx_(ctx) {}

  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who);
  ApiResponse Delete(const Principal& who, int64_t id);

 private:
  const ApiContext* ctx_;
};

}  // namespace ct::api

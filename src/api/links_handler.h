// /api/v1/links: create, list (paginated, filtered), get, update, delete, bulk create, CSV import
// and export — always scoped to the caller's account, so another account's link is a 404
// exactly like a missing one. The link object and its rules: api/link_fields.h.
#pragma once

#include <cstdint>

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;      // bigger `limit`s are capped, not refused
inline constexpr int kSlugAttempts = 8;        // generated-slug collisions before giving up
inline constexpr size_t kMaxBulkLinks = 1000;  // per bulk request or CSV import: one transaction
// An export reads at most this many links (API4: exports get a quota); the response then says
// so in X-Export-Truncated.
inline constexpr size_t kMaxExportLinks = 100'000;

class LinksHandler {
 public:
  explicit LinksHandler(const ApiContext* ctx) : ctx_(ctx) {}

  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who, const ApiRequest& req);
  ApiResponse Get(const Principal& who, int64_t id);
  ApiResponse Update(const Principal& who, int64_t id, const ApiRequest& req);
  ApiResponse Delete(const Principal& who, int64_t id);
  // POST /api/v1/links/bulk {"links": [...]}: all or nothing.
  ApiResponse Bulk(const Principal& who, const ApiRequest& req);
  // POST /api/v1/links/import (text/csv): all or nothing; errors name the CSV row.
  ApiResponse Import(const Principal& who, const ApiRequest& req);
  // GET /api/v1/links/export?tag=&group=&domain=: text/csv.
  ApiResponse Export(const Principal& who, const ApiRequest& req);
  // GET /api/v1/links/{id}/qr?format=png|svg&size=N: the short URL as a QR code.
  ApiResponse Qr(const Principal& who, int64_t id, const ApiRequest& req);

 private:
  // Creates `links` in one transaction, generating the slugs left empty (retried on a clash).
  // Errors name the index as "links[i]: ...".
  Result<std::vector<LinkRow>> CreateAll(std::vector<NewLink> links);

  const ApiContext* ctx_;
};

}  // namespace ct::api

// GET /api/v1/links/counts?from=&to=: the clicks of every link of the account that had any in
// the range, from the rollups (the same numbers as the account report's top_links, without its
// 1,000-row limit). The links page needs a count for each row it shows, not just the top ones.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"

namespace ct::api {

ApiResponse LinkCounts(const ApiContext& ctx, const Principal& who, const ApiRequest& req);

}  // namespace ct::api

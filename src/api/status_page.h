// GET /ui/status: a self-contained HTML page (no external assets) that asks for an API key once
// (kept in the tab's sessionStorage, sent only in the Authorization header) and renders
// GET /api/v1/status every 2 s: each stage green/amber/red with its lag and last error, and the
// alarms not ok. The page holds no data itself, so it needs no authentication to be served.
#pragma once

#include <string_view>

namespace ct::api {

std::string_view StatusPageHtml();

}  // namespace ct::api

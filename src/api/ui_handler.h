// GET|HEAD /ui and /ui/<path>: the embedded web UI (api/ui_assets.h), with the security headers
// every UI response carries (a strict Content-Security-Policy: the UI has no inline scripts or
// styles, so an injected one cannot run) and ETag revalidation. /ui/status, the older
// self-contained status page, is routed before this and keeps its own headers.
#pragma once

#include <string_view>

#include "edge/api_handler.h"

namespace ct::api {

inline constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// True for "/ui" and "/ui/..." (the paths ServeUi answers).
bool IsUiPath(std::string_view path);

// `path` is the request path without the query.
ApiResponse ServeUi(const ApiRequest& req, std::string_view path);

}  // namespace ct::api

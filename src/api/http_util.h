// Building API responses: JSON bodies, the error shape of ../shared/API.md
// ({"error": {"code": "...", "message": "..."}}), and Status -> HTTP status mapping.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "edge/api_handler.h"

namespace ct::api {

ApiResponse JsonResponse(int status, const boost::json::value& body);
// A 200 page of a list: {"<key>": items, "next_cursor": cursor or null at the end}.
ApiResponse PageResponse(std::string_view key, boost::json::array items,
                         const std::optional<std::string>& next_cursor);
ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message);
// 400 for kInvalidArgument, 404 kNotFound, 409 kAlreadyExists, 503 kUnavailable/kIoError/
// kDeadlineExceeded, 500 otherwise (the message of an internal error is not shown).
ApiResponse ErrorFromStatus(const Status& status);
// 405 with the Allow header.
ApiResponse MethodNotAllowed(std::string_view allow);

// True if the Content-Type is application/json (parameters such as charset allowed).
bool IsJsonContentType(const ApiRequest& req);

}  // namespace ct::api

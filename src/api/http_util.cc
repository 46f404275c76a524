#include "api/http_util.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "common/log.h"

namespace ct::api {
namespace {
const Logger& Log() {
  static const Logger log("api");
  return log;
}
}  // namespace

ApiResponse JsonResponse(int status, const boost::json::value& body) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  r.body += '\n';
  return r;
}

ApiResponse PageResponse(std::string_view key, boost::json::array items,
                         const std::optional<std::string>& next_cursor) {
  boost::json::object body;
  body[key] = std::move(items);
  if (next_cursor) {
    body["next_cursor"] = *next_cursor;
  } else {
    body["next_cursor"] = nullptr;
  }
  return JsonResponse(200, body);
}

ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  boost::json::object err;
  err["code"] = code;
  err["message"] = message;
  boost::json::object body;
  body["error"] = std::move(err);
  return JsonResponse(status, body);
}

ApiResponse ErrorFromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return ErrorResponse(400, "bad_request", s.message());
    case StatusCode::kNotFound:
      return ErrorResponse(404, "not_found", s.message());
    case StatusCode::kAlreadyExists:
      return ErrorResponse(409, "conflict", s.message());
    case StatusCode::kUnavailable:
    case StatusCode::kIoError:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      Log().Warn("store unavailable: {}", s.ToString());
      return ErrorResponse(503, "unavailable", "the store is unavailable; try again");
    default:
      Log().Error("internal error: {}", s.ToString());
      return ErrorResponse(500, "internal", "internal error");
  }
}

ApiResponse MethodNotAllowed(std::string_view allow) {
  ApiResponse r = ErrorResponse(405, "method_not_allowed", "method not allowed on this path");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

bool IsJsonContentType(const ApiRequest& req) {
  const std::string* ct = req.Header("content-type");
  if (ct == nullptr) return false;
  std::string v;
  for (char c : *ct) {
    if (c == ';') break;
    if (c != ' ' && c != '\t')
      v.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return v == "application/json";
}

}  // namespace ct::api

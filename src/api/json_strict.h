// Strict JSON for request bodies (RELIABILITY §4 "Management API"): Boost.JSON already refuses
// invalid UTF-8, lone surrogates, NaN/Infinity literals and trailing garbage; this adds what it
// lets through — duplicate keys (it keeps the last one silently) and nesting deeper than 64 —
// and requires the top level to be an object.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "common/status.h"

namespace ct::api {

inline constexpr size_t kMaxJsonDepth = 64;  // deeper bodies are refused, not recursed into

// kInvalidArgument with a message fit for the client when the body is not acceptable.
Result<boost::json::object> ParseStrictJsonObject(std::string_view body);

}  // namespace ct::api

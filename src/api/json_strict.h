// Strict JSON for request bodies (RELIABILITY §4 "Management API"): Boost.JSON already refuses
// invalid UTF-8, lone surrogates, NaN/Infinity literals and trailing garbage; this adds what it
// lets through — duplicate keys (it keeps the last one silently), nesting deeper than 64, and
// numbers out of range (above int64, or a literal such as 1e999 that parses to infinity) —
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

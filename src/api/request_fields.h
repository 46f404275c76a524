// Small readers shared by the issue-4 handlers (goals, postbacks, pixels, conversions,
// deliveries): body field names checked against an allow-list, typed field getters whose errors
// name the field, and query strings read strictly (unknown or repeated parameters refused, as
// api/stats_params.h does: a typo must not silently widen a listing).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::api {

// kInvalidArgument when `body` holds a name in `read_only` ("field 'id' is read-only") or one
// in neither list ("unknown field 'x'; fields are a, b, c").
Status CheckFieldNames(const boost::json::object& body,
                       std::initializer_list<std::string_view> allowed,
                       std::initializer_list<std::string_view> read_only);

Result<std::string> StringField(const boost::json::value& v, std::string_view name);
Result<bool> BoolField(const boost::json::value& v, std::string_view name);
// An integer in [min, max].
Result<int64_t> IntField(const boost::json::value& v, std::string_view name, int64_t min,
                         int64_t max);
// UTF-8 (the JSON parser checked that) without C0 controls or DEL, 1..max bytes.
Status CheckText(std::string_view v, std::string_view name, size_t max);
// StringField that passes CheckText: the common shape of names and ids in request bodies.
Result<std::string> TextField(const boost::json::value& v, std::string_view name, size_t max);
// Three upper-case ASCII letters (ISO 4217 shape; the list of codes is not enforced).
Status CheckCurrency(std::string_view v, std::string_view name = "currency");

// The query string of `target` as name -> value; kInvalidArgument for a malformed target, a
// name not in `allowed`, or a name given twice.
Result<std::map<std::string, std::string, std::less<>>> ReadQuery(
    std::string_view target, std::initializer_list<std::string_view> allowed);
// A positive decimal id parameter.
Result<int64_t> PositiveIdParam(std::string_view v, std::string_view name);
// A page size: 1..max; larger values are capped (as /links does), others refused.
Result<int> LimitParam(std::string_view v, int max);

}  // namespace ct::api

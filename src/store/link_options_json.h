// LinkOptions <-> JSON (Boost.JSON), shared by the store's options_json column and the REST API
// so the two spell every option the same way. The pieces the API shows as they are (rotation as
// "destinations", "rules", "utm") have their own functions; the whole-object form is the storage
// form, which also holds what the API never shows (password_hash) or shows converted
// (expires_at_us as an ISO 8601 "expires_at").
//
// Decoding checks shapes and types only (strings are strings, weights are integers, unknown
// names are refused); whether a URL, a country or a weight is acceptable is the API's call
// (api/link_fields.h). Thread safety: pure functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace ct {

// [{"url", "weight", "cap"}, ...]; "cap" only when set (spillover). `name` prefixes errors:
// "destinations[2].weight must be an integer".
boost::json::array RotationToJson(const std::vector<WeightedDestination>& rotation);
Result<std::vector<WeightedDestination>> RotationFromJson(const boost::json::value& v,
                                                          std::string_view name = "destinations");
// "weighted", "sequential", "random" or "spillover"; `name` prefixes the error.
Result<RotationMode> RotationModeFromJson(const boost::json::value& v, std::string_view name);
// [{"countries", "devices", "os", "languages", "destination"}, ...]; empty lists omitted. A
// rule with a nested rotation has "rotation" and "rotation_mode" instead of "destination".
boost::json::array RulesToJson(const std::vector<TargetingRule>& rules);
Result<std::vector<TargetingRule>> RulesFromJson(const boost::json::value& v);
// {"source", "medium", "campaign", "term", "content"}; empty values omitted. Missing keys and
// null values read as "".
boost::json::object UtmToJson(const Utm& utm);
Result<Utm> UtmFromJson(const boost::json::value& v);

// The storage form: only the options that differ from the defaults, so a plain link is "{}".
boost::json::object LinkOptionsToJson(const LinkOptions& options);
Result<LinkOptions> LinkOptionsFromJson(const boost::json::value& v);
std::string EncodeLinkOptions(const LinkOptions& options);
// "" and "{}" decode to the defaults. kCorruption for text this codec did not write.
Result<LinkOptions> DecodeLinkOptions(std::string_view text);

}  // namespace ct

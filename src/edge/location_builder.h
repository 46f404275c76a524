// Builds a click's Location from the chosen destination template: macros expanded, the
// request's query forwarded, utm_* parameters added — in that order, each insertion before any
// #fragment.
//
// Safety: macro values are percent-encoded down to the unreserved set (A-Za-z0-9-._~), so a
// value can never add a CR/LF, a '/', '@', '?', '#' or '%' of its own; macros before the end of
// the authority are refused outright (the API allows them only in path, query and fragment),
// so the scheme and host of the result are always the template's. The result is then checked
// with LinkTable::IsSafeDestination.
#pragma once

#include <string>
#include <string_view>

#include "edge/link_rules.h"
#include "store/store.h"

namespace ct::edge {

// Values the macros expand to. Visitor facts come lazily from `facts` (only for macros used).
struct MacroContext {
  VisitorFacts* facts = nullptr;
  std::string_view click_id;  // base64url of the event id
  std::string_view slug;
  int64_t link_id = 0;
  std::string_view domain;      // the link's custom domain; "" = default
  std::string_view visitor_id;  // the ct_vid cookie value, incoming or new
  std::string_view query;       // the request's raw query string (after '?', without it)
};

// Appends the Location for `tmpl` to `out`. Returns false (leaving `out` as it was) when the
// template is malformed or the result is not safe to send.
bool BuildLocation(std::string_view tmpl, const MacroContext& ctx, bool forward_query,
                   const Utm& utm, std::string* out);

// Appends `value` percent-encoded: every byte outside A-Za-z0-9-._~ becomes %XX.
void PercentEncode(std::string_view value, std::string* out);
// The first value of query parameter `name` in `query` (raw, before decoding); false if absent.
bool FindQueryParam(std::string_view query, std::string_view name, std::string_view* value);
// Percent-decodes (and '+' -> space) `in` into `out`; malformed escapes are kept literally.
void FormDecode(std::string_view in, std::string* out);

}  // namespace ct::edge

// Kutt: the links as its API lists them (GET /api/v2/links, shlink-importer's KuttImporter
// reads the same): {"limit", "skip", "total", "data": [link, ...]}, each link with address
// (the short code), target, description (or null), visit_count, created_at, domain, ...
// A file holding just the array of link objects is read too.
#include <algorithm>
#include <boost/json.hpp>

#include "import/export_parsers.h"

namespace ct::import {
namespace {

namespace json = boost::json;

size_t LineOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Result<ParsedExport> ParseKuttJson(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  json::stream_parser parser;
  boost::system::error_code ec;
  const size_t used = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return Status::InvalidArgument("line " + std::to_string(LineOf(text, used)) +
                                   ": not valid JSON (" + ec.message() + ")");
  }
  json::value doc = parser.release();
  const json::array* items = nullptr;
  if (doc.is_array()) {
    items = &doc.get_array();
  } else if (doc.is_object()) {
    const json::value* data = doc.get_object().if_contains("data");
    if (data && data->is_array()) items = &data->get_array();
  }
  if (!items) {
    return Status::InvalidArgument(
        "line 1: expected Kutt's {\"data\": [link, ...]} or an array of links");
  }
  if (items->size() > kMaxExportRows) {
    return Status::InvalidArgument("more than " + std::to_string(kMaxExportRows) + " links");
  }
  ParsedExport out;
  out.position = "item";
  out.links.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    SourceLink l;
    l.line = i + 1;
    const json::value& item = (*items)[i];
    if (!item.is_object()) {
      l.unreadable = "is not a link object";
      out.links.push_back(std::move(l));
      continue;
    }
    const json::object& o = item.get_object();
    l.slug = StringField(o, "address");
    l.destination = StringField(o, "target");
    l.title = StringField(o, "description");
    if (const json::value* n = o.if_contains("visit_count"); n && !n->is_null()) {
      if (n->is_int64() && n->get_int64() >= 0) {
        l.clicks = n->get_int64();
      } else if (n->is_uint64()) {
        l.unreadable = "visit_count is out of range";
      } else {
        l.unreadable = "visit_count is not a non-negative integer";
      }
    }
    out.links.push_back(std::move(l));
  }
  return out;
}

}  // namespace ct::import

#include "api/links_handler.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

#include "api/csv.h"
#include "api/destination.h"
#include "api/http_util.h"
#include "api/json_strict.h"
#include "api/link_fields.h"
#include "api/qr_code.h"
#include "api/slug.h"
#include "common/time_format.h"

namespace ct::api {
namespace {

namespace json = boost::json;

ApiResponse NotFound() { return ErrorResponse(404, "not_found", "link not found"); }

// Validation and store errors as the API shows them: a blocked destination host and a taken
// slug get their own codes, so scripts can tell them from other 400s and 409s.
ApiResponse LinkError(const Status& s) {
  if (IsBlockedHost(s)) return ErrorResponse(400, "destination_blocked", s.message());
  if (s.code() == StatusCode::kAlreadyExists) return ErrorResponse(409, "slug_taken", s.message());
  return ErrorFromStatus(s);
}

ApiResponse UnsupportedJson() {
  return ErrorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
}

// The index named by an error of CreateLinks ("links[3]: ..."), or -1.
int64_t FailedIndex(const Status& s) {
  const std::string& m = s.message();
  if (m.rfind("links[", 0) != 0) return -1;
  int64_t i = -1;
  std::from_chars(m.data() + 6, m.data() + m.size(), i);
  return i;
}

bool HasContentType(const ApiRequest& req, std::string_view type) {
  const std::string* ct = req.Header("content-type");
  if (!ct) return false;
  std::string v = ct->substr(0, ct->find(';'));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == type;
}

// ?tag=&group=&domain= of the list and the export.
LinkFilter ReadFilter(const boost::urls::url_view& u) {
  LinkFilter f;
  for (auto p : u.params()) {
    if (p.key == "tag") f.tag = p.value;
    if (p.key == "group") f.group = p.value;
    if (p.key == "domain") {
      std::string d = p.value;
      std::transform(d.begin(), d.end(), d.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      f.domain = std::move(d);
    }
  }
  return f;
}

// The import's columns, in the export's spelling.
constexpr std::array<std::string_view, 6> kImportColumns = {"destination", "slug", "domain",
                                                            "title",       "tags", "group"};

// One CSV cell as the JSON value the link object takes for that column.
json::value CellJson(std::string_view column, const std::string& cell) {
  if (column != "tags") return json::string(cell);
  json::array tags;
  size_t i = 0;
  while (i <= cell.size()) {
    size_t j = cell.find('|', i);
    if (j == std::string::npos) j = cell.size();
    if (j > i) tags.emplace_back(cell.substr(i, j - i));
    i = j + 1;
  }
  return tags;
}

}  // namespace

Result<std::vector<LinkRow>> LinksHandler::CreateAll(std::vector<NewLink> links) {
  std::vector<bool> generated(links.size());
  for (size_t i = 0; i < links.size(); ++i) generated[i] = links[i].slug.empty();
  for (int attempt = 0; attempt < kSlugAttempts; ++attempt) {
    for (size_t i = 0; i < links.size(); ++i) {
      if (generated[i]) links[i].slug = GenerateSlug();
    }
    Result<std::vector<LinkRow>> created =
        links.size() == 1 ? [&]() -> Result<std::vector<LinkRow>> {
      auto one = ctx_->store->CreateLink(links[0]);
      if (!one.ok()) return one.status().Annotate("links[0]");
      return std::vector<LinkRow>{std::move(*one)};
    }()
        : ctx_->store->CreateLinks(links);
    if (created.ok()) {
      if (ctx_->links_changed) ctx_->links_changed();
      return created;
    }
    const int64_t failed = FailedIndex(created.status());
    // Only a clash on a slug we generated is worth another try.
    if (created.status().code() != StatusCode::kAlreadyExists || failed < 0 ||
        static_cast<size_t>(failed) >= links.size() || !generated[failed]) {
      return created.status();
    }
  }
  return Status::Unavailable("could not find a free slug; try again");
}

ApiResponse LinksHandler::Create(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  auto in = ParseLinkInput(*obj, ctx_->options.blocked_hosts);
  if (!in.ok()) return LinkError(in.status());
  auto nl = MakeNewLink(who.account_id, std::move(*in));
  if (!nl.ok()) return LinkError(nl.status());
  auto created = CreateAll({std::move(*nl)});
  if (!created.ok()) {
    const Status& s = created.status();
    // A single link's error reads without the "links[0]: " of the batch form.
    std::string msg =
        s.message().rfind("links[0]: ", 0) == 0 ? s.message().substr(10) : s.message();
    if (s.code() == StatusCode::kAlreadyExists) {
      return ErrorResponse(409, "slug_taken", "slug is already taken");
    }
    return LinkError(Status(s.code(), msg));
  }
  return JsonResponse(201, LinkToJson((*created)[0], ctx_->options.public_url));
}

ApiResponse LinksHandler::Bulk(const Principal& who, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  const json::value* list = obj->if_contains("links");
  if (obj->size() != 1 || !list || !list->is_array()) {
    return ErrorResponse(400, "bad_request", "body must be {\"links\": [link, ...]}");
  }
  const json::array& arr = list->get_array();
  if (arr.empty()) return ErrorResponse(400, "bad_request", "links is empty");
  if (arr.size() > kMaxBulkLinks) {
    return ErrorResponse(400, "bad_request",
                         "at most " + std::to_string(kMaxBulkLinks) + " links per request");
  }
  std::vector<NewLink> links;
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string at = "links[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) return ErrorResponse(400, "bad_request", at + " must be an object");
    auto in = ParseLinkInput(arr[i].get_object(), ctx_->options.blocked_hosts);
    if (!in.ok()) return LinkError(in.status().Annotate(at));
    auto nl = MakeNewLink(who.account_id, std::move(*in));
    if (!nl.ok()) return LinkError(nl.status().Annotate(at));
    links.push_back(std::move(*nl));
  }
  auto created = CreateAll(std::move(links));
  if (!created.ok()) return LinkError(created.status());
  json::array out;
  for (const auto& l : *created) out.push_back(LinkToJson(l, ctx_->options.public_url));
  return JsonResponse(201, json::object{{"links", std::move(out)}});
}

ApiResponse LinksHandler::Import(const Principal& who, const ApiRequest& req) {
  if (!HasContentType(req, "text/csv")) {
    return ErrorResponse(415, "unsupported_media_type", "Content-Type must be text/csv");
  }
  auto records = ParseCsv(req.body, kMaxBulkLinks + 1);
  if (!records.ok()) return ErrorFromStatus(records.status());
  if (records->empty()) return ErrorResponse(400, "bad_request", "CSV has no header row");
  // Row numbers count the header as row 1, as a spreadsheet shows them.
  const CsvRecord& header = (*records)[0];
  std::vector<std::string> columns;
  for (std::string h : header) {
    std::transform(h.begin(), h.end(), h.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!h.empty() && h.back() == ' ') h.pop_back();
    while (!h.empty() && h.front() == ' ') h.erase(0, 1);
    if (std::find(kImportColumns.begin(), kImportColumns.end(), h) == kImportColumns.end()) {
      return ErrorResponse(400, "bad_request",
                           "row 1: unknown column '" + h +
                               "' (columns: destination, slug, domain, title, tags, group)");
    }
    if (std::find(columns.begin(), columns.end(), h) != columns.end()) {
      return ErrorResponse(400, "bad_request", "row 1: duplicate column '" + h + "'");
    }
    columns.push_back(std::move(h));
  }
  if (std::find(columns.begin(), columns.end(), "destination") == columns.end()) {
    return ErrorResponse(400, "bad_request", "row 1: the destination column is required");
  }
  if (records->size() == 1) return ErrorResponse(400, "bad_request", "CSV has no links");
  std::vector<NewLink> links;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    const std::string row = "row " + std::to_string(r + 1);
    if (rec.size() != columns.size()) {
      return ErrorResponse(400, "bad_request",
                           row + ": has " + std::to_string(rec.size()) + " fields, the header " +
                               std::to_string(columns.size()));
    }
    json::object obj;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (rec[c].empty() && columns[c] != "destination") continue;
      json::object one{{columns[c], CellJson(columns[c], rec[c])}};
      // Field by field, so the error names the column; JSON has no UTF-8 check here.
      Status cell = ParseLinkInput(one, ctx_->options.blocked_hosts).status();
      if (!cell.ok()) return LinkError(cell.Annotate(row + ": " + columns[c]));
      obj[columns[c]] = one[columns[c]];
    }
    auto in = ParseLinkInput(obj, ctx_->options.blocked_hosts);
    if (!in.ok()) return LinkError(in.status().Annotate(row));
    auto nl = MakeNewLink(who.account_id, std::move(*in));
    if (!nl.ok()) return LinkError(nl.status().Annotate(row));
    links.push_back(std::move(*nl));
  }
  auto created = CreateAll(std::move(links));
  if (!created.ok()) {
    const int64_t i = FailedIndex(created.status());
    if (i < 0) return LinkError(created.status());
    std::string msg = created.status().message();
    msg = "row " + std::to_string(i + 2) + msg.substr(msg.find(']') + 1);
    return LinkError(Status(created.status().code(), msg));
  }
  json::array out;
  for (const auto& l : *created) out.push_back(LinkToJson(l, ctx_->options.public_url));
  json::object body;
  body["created"] = created->size();
  body["links"] = std::move(out);
  return JsonResponse(201, body);
}

ApiResponse LinksHandler::Export(const Principal& who, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  const LinkFilter filter = ReadFilter(*u);
  std::string csv = CsvLine(
      {"id", "short_url", "domain", "slug", "destination", "title", "tags", "group", "created_at"});
  int64_t after = 0;
  size_t count = 0;
  bool truncated = false;
  for (;;) {
    auto page = ctx_->store->ListLinks(who.account_id, filter, after, kMaxPageSize);
    if (!page.ok()) return ErrorFromStatus(page.status());
    for (const auto& l : page->links) {
      std::string tags;
      for (const auto& t : l.tags) tags += (tags.empty() ? "" : "|") + t;
      csv += CsvLine({std::to_string(l.id), ShortUrl(l, ctx_->options.public_url), l.domain, l.slug,
                      l.destination, l.title, tags, l.group, FormatIso8601(l.created_at_us)});
    }
    count += page->links.size();
    if (!page->next_after_id) break;
    if (count >= kMaxExportLinks) {
      truncated = true;
      break;
    }
    after = *page->next_after_id;
  }
  ApiResponse r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"links.csv\"");
  if (truncated) r.headers.emplace_back("X-Export-Truncated", "true");
  r.body = std::move(csv);
  return r;
}

ApiResponse LinksHandler::List(const Principal& who, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  int64_t after = 0;
  int limit = kDefaultPageSize;
  for (auto p : u->params()) {
    std::string_view v = p.value;
    if (p.key == "limit") {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec == std::errc::result_out_of_range)
        n = kMaxPageSize;
      else if (ec != std::errc() || ptr != v.data() + v.size() || n < 1) {
        return ErrorResponse(400, "bad_request", "limit must be a positive integer");
      }
      limit = static_cast<int>(std::min<int64_t>(n, kMaxPageSize));
    } else if (p.key == "cursor" || p.key == "after") {
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), after);
      if (ec != std::errc() || ptr != v.data() + v.size() || after < 0) {
        return ErrorResponse(400, "bad_request", "cursor is not one this API returned");
      }
    }
  }
  auto page = ctx_->store->ListLinks(who.account_id, ReadFilter(*u), after, limit);
  if (!page.ok()) return ErrorFromStatus(page.status());
  json::array links;
  for (const auto& l : page->links) links.push_back(LinkToJson(l, ctx_->options.public_url));
  std::optional<std::string> next;
  if (page->next_after_id) next = std::to_string(*page->next_after_id);
  return PageResponse("links", std::move(links), next);
}

ApiResponse LinksHandler::Get(const Principal& who, int64_t id) {
  auto link = ctx_->store->GetLink(who.account_id, id);
  if (!link.ok()) return ErrorFromStatus(link.status());
  if (!link->has_value() || (*link)->deleted || (*link)->kind != LinkKind::kLink) {
    return NotFound();  // a pixel is not a link here (api/pixels_handler.h)
  }
  return JsonResponse(200, LinkToJson(**link, ctx_->options.public_url));
}

ApiResponse LinksHandler::Update(const Principal& who, int64_t id, const ApiRequest& req) {
  if (!IsJsonContentType(req)) return UnsupportedJson();
  auto obj = ParseStrictJsonObject(req.body);
  if (!obj.ok()) return ErrorFromStatus(obj.status());
  auto in = ParseLinkInput(*obj, ctx_->options.blocked_hosts);
  if (!in.ok()) return LinkError(in.status());
  // Options are stored whole, so a PATCH merges into the current ones. Two PATCHes of one link
  // at the same moment may each keep only their own option changes (last writer wins).
  auto current = ctx_->store->GetLink(who.account_id, id);
  if (!current.ok()) return ErrorFromStatus(current.status());
  if (!current->has_value() || (*current)->deleted || (*current)->kind != LinkKind::kLink) {
    return NotFound();
  }
  auto up = MakeLinkUpdate(**current, std::move(*in));
  if (!up.ok()) return LinkError(up.status());
  auto updated = ctx_->store->UpdateLink(who.account_id, id, *up);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kAlreadyExists) {
      return ErrorResponse(409, "slug_taken", "slug is already taken");
    }
    return ErrorFromStatus(updated.status());
  }
  if (!updated->has_value()) return NotFound();
  if (ctx_->links_changed) ctx_->links_changed();
  return JsonResponse(200, LinkToJson(**updated, ctx_->options.public_url));
}

ApiResponse LinksHandler::Delete(const Principal& who, int64_t id) {
  auto deleted = ctx_->store->DeleteLink(who.account_id, id);
  if (!deleted.ok()) return ErrorFromStatus(deleted.status());
  if (!*deleted) return NotFound();
  if (ctx_->links_changed) ctx_->links_changed();
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ApiResponse LinksHandler::Qr(const Principal& who, int64_t id, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  QrFormat format = QrFormat::kPng;
  int size = kDefaultQrSize;
  for (auto p : u->params()) {
    std::string_view v = p.value;
    if (p.key == "format") {
      if (v == "png")
        format = QrFormat::kPng;
      else if (v == "svg")
        format = QrFormat::kSvg;
      else
        return ErrorResponse(400, "bad_request", "format must be png or svg");
    } else if (p.key == "size") {
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), size);
      if (ec != std::errc() || ptr != v.data() + v.size() || size < kMinQrSize ||
          size > kMaxQrSize) {
        return ErrorResponse(400, "bad_request",
                             "size must be an integer from " + std::to_string(kMinQrSize) + " to " +
                                 std::to_string(kMaxQrSize));
      }
    }
  }
  auto link = ctx_->store->GetLink(who.account_id, id);
  if (!link.ok()) return ErrorFromStatus(link.status());
  if (!link->has_value() || (*link)->deleted || (*link)->kind != LinkKind::kLink) {
    return NotFound();  // a pixel is not a link here (api/pixels_handler.h)
  }
  auto image = RenderQr(ShortUrl(**link, ctx_->options.public_url), format, size);
  if (!image.ok()) return ErrorFromStatus(image.status());
  ApiResponse r;
  r.status = 200;
  r.content_type = format == QrFormat::kPng ? "image/png" : "image/svg+xml";
  r.body = std::move(*image);
  return r;
}

}  // namespace ct::api

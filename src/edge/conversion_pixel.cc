#include "edge/conversion_pixel.h"

#include <fmt/format.h>

#include <charconv>

#include "common/time_format.h"
#include "edge/location_builder.h"
#include "edge/password_page.h"

namespace ct::edge {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// The q of one Accept element's parameters ("; q=0.8"); 1 when absent, 0 when malformed (a
// range we cannot read is not a preference).
double QualityOf(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == params.npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    std::string_view v = p.substr(2);
    double q = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
    if (ec != std::errc() || end != v.data() + v.size() || q < 0 || q > 1) return 0;
    return q;
  }
  return 1;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void CutUtf8(std::string* s, size_t max) {
  if (s->size() <= max) return;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>((*s)[n]) & 0xC0) == 0x80) --n;  // continuation
  s->resize(n);
}

}  // namespace

void ParseConversionQuery(std::string_view query, ConversionQuery* out) {
  out->click_id.clear();
  out->has_value = false;
  out->value_micros = 0;
  out->currency.clear();
  out->order_id.clear();
  out->html = false;
  std::string_view raw;
  if (FindQueryParam(query, "click_id", &raw)) {
    FormDecode(raw, &out->click_id);
    // The tracker validates it; the journal keeps at most what a click id could be.
    CutUtf8(&out->click_id, kMaxClickRefBytes);
  }
  if (FindQueryParam(query, "value", &raw)) {
    std::string decoded;  // rare: only conversions that carry a value
    FormDecode(raw, &decoded);
    if (auto v = ParseValueMicros(decoded)) {
      out->has_value = true;
      out->value_micros = *v;
    }
  }
  if (FindQueryParam(query, "currency", &raw)) {
    FormDecode(raw, &out->currency);
    bool ok = out->currency.size() == kMaxCurrencyBytes;
    for (char c : out->currency) ok &= c >= 'A' && c <= 'Z';
    if (!ok) out->currency.clear();
  }
  if (FindQueryParam(query, "order_id", &raw)) {
    FormDecode(raw, &out->order_id);
    CutUtf8(&out->order_id, kMaxOrderIdBytes);
  }
  if (FindQueryParam(query, "format", &raw)) {
    std::string format;
    FormDecode(raw, &format);
    out->html = format == "html";
  }
}

std::optional<int64_t> ParseValueMicros(std::string_view s) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == s.npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || (dot != s.npos && (frac.empty() || frac.size() > 6))) return std::nullopt;
  for (char c : whole) {
    if (!IsDigit(c)) return std::nullopt;
  }
  for (char c : frac) {
    if (!IsDigit(c)) return std::nullopt;
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > 13) return std::nullopt;  // over 1e12 whatever follows; keeps int64 exact
  int64_t units = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), units);
  int64_t micros = 0;
  for (size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  if (units > kMaxConversionValueMicros / kMicrosPerUnit) return std::nullopt;
  int64_t total = units * kMicrosPerUnit + micros;
  if (total > kMaxConversionValueMicros) return std::nullopt;
  return total;
}

std::string FormatValueMicros(int64_t micros) {
  std::string s = fmt::format("{}.{:06d}", micros / kMicrosPerUnit, micros % kMicrosPerUnit);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

bool PrefersHtml(std::string_view accept) {
  double html = -1, image = -1;  // -1: not listed
  bool html_first = false;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == accept.npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view range = Trim(item.substr(0, semi));
    double q = QualityOf(semi == item.npos ? std::string_view() : item.substr(semi + 1));
    if (IEquals(range, "text/html")) {
      if (html < 0) html_first = image < 0;
      html = std::max(html, q);
    } else if (range.size() > 6 && IEquals(range.substr(0, 6), "image/")) {
      image = std::max(image, q);
    }
  }
  if (html <= 0) return false;
  return html > image || (html == image && html_first);
}

postback::MacroValues ConversionMacros(const GoalRow& goal, const EventView& e) {
  postback::MacroValues v;
  for (std::string_view name : postback::MacroNames()) v.emplace(name, "");
  std::string id = ClickId(e.id);
  v["click_id"] = std::string(e.click_ref);
  v["conversion_id"] = id;
  v["event_id"] = id;
  v["event"] = std::string(EventKindName(EventKind::kConversion));
  v["goal"] = goal.name;
  v["goal_id"] = std::to_string(goal.id);
  v["value"] = FormatValueMicros((e.flags & kFlagHasValue) != 0 ? e.value_micros
                                                                : goal.default_value_micros);
  v["currency"] = e.currency.empty() ? goal.currency : std::string(e.currency);
  v["order_id"] = std::string(e.order_id);
  v["event_time"] = FormatIso8601(e.time_us);
  v["event_time_unix"] = std::to_string(e.time_us / 1'000'000);
  v["country"] = std::string(e.country);
  v["account_id"] = std::to_string(goal.account_id);
  return v;
}

void AppendPiggybackPage(const GoalRow& goal, const postback::MacroValues& values,
                         std::string* body) {
  body->append("<!doctype html><meta charset=\"utf-8\"><title></title>");
  for (const std::string& url : goal.piggyback_urls) {
    body->append("<img src=\"");
    HtmlEscape(postback::ExpandTemplate(url, values), body);
    body->append("\" width=\"1\" height=\"1\" alt=\"\">");
  }
}

void AppendPiggybackHead(size_t body_bytes, std::string* out) {
  // The page is ours but its image URLs are partners': the CSP keeps it from ever running a
  // script or loading anything but images, whatever a template expands to.
  fmt::format_to(std::back_inserter(*out),
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                 "Content-Length: {}\r\nCache-Control: no-store\r\nPragma: no-cache\r\n"
                 "Expires: 0\r\nContent-Security-Policy: default-src 'none'; img-src http: https:"
                 "\r\nX-Content-Type-Options: nosniff\r\n",
                 body_bytes);
}

}  // namespace ct::edge

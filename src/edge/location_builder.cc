#include "edge/location_builder.h"

#include <charconv>

#include "edge/link_table.h"

namespace ct::edge {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Where the authority ends ("scheme://authority" then '/', '?' or '#'); npos if no "://".
size_t AuthorityEnd(std::string_view url) {
  size_t s = url.find("://");
  if (s == url.npos) return url.npos;
  size_t e = url.find_first_of("/?#", s + 3);
  return e == url.npos ? url.size() : e;
}

// Appends `in`, each byte for which `escape(c)` holds as %XX.
template <typename Pred>
void AppendEscaped(std::string_view in, Pred escape, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : in) {
    if (escape(c)) {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

// Appends the forwarded query: its bytes kept, except those that would end the query ('#') or
// are unsafe in a header, which are percent-encoded.
void AppendForwardedQuery(std::string_view q, std::string* out) {
  AppendEscaped(
      q, [](unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '#'; }, out);
}

bool ExpandMacro(std::string_view name, const MacroContext& ctx, std::string* out) {
  VisitorFacts* f = ctx.facts;
  std::string_view v;
  if (name == "click_id") {
    v = ctx.click_id;
  } else if (name == "slug") {
    v = ctx.slug;
  } else if (name == "domain") {
    v = ctx.domain;
  } else if (name == "visitor_id") {
    v = ctx.visitor_id;
  } else if (name == "link_id") {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, ctx.link_id);
    out->append(buf, end);
    return true;
  } else if (name == "country") {
    v = f ? f->Country() : "";
  } else if (name == "device") {
    v = f ? f->Device() : "";
  } else if (name == "os") {
    v = f ? f->Os() : "";
  } else if (name == "browser") {
    v = f ? f->Browser() : "";
  } else if (name == "language") {
    v = f ? f->Language() : "";
  } else if (name.starts_with("query:")) {
    std::string_view raw;
    if (FindQueryParam(ctx.query, name.substr(6), &raw)) {
      std::string decoded;
      FormDecode(raw, &decoded);
      PercentEncode(decoded, out);
    }
    return true;
  } else {
    return false;  // the API refuses unknown macros; a stored one is a bug: do not guess
  }
  PercentEncode(v, out);
  return true;
}

void AppendParam(std::string_view name, std::string_view value, bool* has_query, std::string* out) {
  out->push_back(*has_query ? '&' : '?');
  *has_query = true;
  out->append(name);
  out->push_back('=');
  PercentEncode(value, out);
}

}  // namespace

void PercentEncode(std::string_view value, std::string* out) {
  AppendEscaped(
      value, [](unsigned char c) { return !Unreserved(c); }, out);
}

bool FindQueryParam(std::string_view query, std::string_view name, std::string_view* value) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      *value = eq == pair.npos ? std::string_view() : pair.substr(eq + 1);
      return true;
    }
    if (amp == query.npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

void FormDecode(std::string_view in, std::string* out) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
}

bool BuildLocation(std::string_view tmpl, const MacroContext& ctx, bool forward_query,
                   const Utm& utm, std::string* out) {
  size_t start = out->size();
  auto fail = [&] {
    out->resize(start);
    return false;
  };
  size_t auth_end = AuthorityEnd(tmpl);
  if (auth_end == tmpl.npos) return fail();
  // Scheme and authority verbatim: no macro may touch them.
  if (tmpl.substr(0, auth_end).find('{') != tmpl.npos) return fail();
  out->append(tmpl.substr(0, auth_end));
  std::string_view rest = tmpl.substr(auth_end);
  // Expand macros in path, query and fragment.
  size_t frag_at = std::string_view::npos;  // offset in *out of the '#'
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '{') {
      size_t close = rest.find('}', i);
      if (close == rest.npos) return fail();
      if (!ExpandMacro(rest.substr(i + 1, close - i - 1), ctx, out)) return fail();
      i = close;
      continue;
    }
    if (c == '#' && frag_at == std::string_view::npos) frag_at = out->size();
    out->push_back(c);
  }
  // Query forwarding and UTM go before the fragment.
  std::string fragment;
  if (frag_at != std::string_view::npos) {
    fragment.assign(*out, frag_at);
    out->resize(frag_at);
  }
  bool has_query = out->find('?', start + auth_end) != out->npos;
  if (forward_query && !ctx.query.empty()) {
    out->push_back(has_query ? '&' : '?');
    has_query = true;
    AppendForwardedQuery(ctx.query, out);
  }
  if (!utm.empty()) {
    std::string_view q;
    if (size_t qm = out->find('?', start + auth_end); qm != out->npos) {
      q = std::string_view(*out).substr(qm + 1);
    }
    const std::pair<std::string_view, const std::string*> params[] = {
        {"utm_source", &utm.source},
        {"utm_medium", &utm.medium},
        {"utm_campaign", &utm.campaign},
        {"utm_term", &utm.term},
        {"utm_content", &utm.content}};
    std::string adds;
    bool adds_query = has_query;
    for (const auto& [name, value] : params) {
      std::string_view existing;
      if (value->empty() || FindQueryParam(q, name, &existing)) continue;
      AppendParam(name, *value, &adds_query, &adds);
    }
    out->append(adds);
  }
  out->append(fragment);
  if (!LinkTable::IsSafeDestination(std::string_view(*out).substr(start))) return fail();
  return true;
}

}  // namespace ct::edge

#include "edge/click_context.h"

#include "enrich/request_facts.h"

namespace ct::edge {

void RequestFacts::Reset(const enrich::GeoDb* geo, const enrich::UserAgentParser* ua,
                         std::string_view ip, std::string_view user_agent,
                         std::string_view accept_language) {
  geo_ = geo;
  ua_parser_ = ua;
  ip_ = ip;
  user_agent_ = user_agent;
  accept_language_ = accept_language;
  country_done_ = ua_done_ = language_done_ = false;
}

std::string_view RequestFacts::Country() {
  if (!country_done_) {
    country_ = geo_ != nullptr ? geo_->Country(ip_) : std::string_view();
    country_done_ = true;
  }
  return country_;
}

const enrich::UserAgentInfo& RequestFacts::Ua() {
  if (!ua_done_) {
    if (ua_parser_ != nullptr) {
      ua_ = ua_parser_->Parse(user_agent_);
    } else {
      ua_.device.clear();
      ua_.os.clear();
      ua_.browser.clear();
    }
    ua_done_ = true;
  }
  return ua_;
}

std::string_view RequestFacts::Language() {
  if (!language_done_) {
    language_ = enrich::PrimaryLanguage(accept_language_);
    language_done_ = true;
  }
  return language_;
}

std::string_view FindIdCookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == header.npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    if (!pair.starts_with(name) || pair.size() <= name.size() || pair[name.size()] != '=') {
      continue;
    }
    std::string_view v = pair.substr(name.size() + 1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (v.size() < 16 || v.size() > 64) return {};
    for (char c : v) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
      if (!ok) return {};
    }
    return v;
  }
  return {};
}

void AppendVisitorCookie(std::string_view value, std::string* out) {
  out->append("Set-Cookie: ");
  out->append(kVisitorCookie);
  out->push_back('=');
  out->append(value);
  out->append("; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax\r\n");
}

std::string ClickCookieAttributes(int days) {
  int64_t seconds = static_cast<int64_t>(days > 0 ? days : 0) * 86400;
  return "; Path=/; Max-Age=" + std::to_string(seconds) + "; HttpOnly; SameSite=Lax\r\n";
}

void AppendClickCookie(std::string_view click_id, std::string_view attributes, std::string* out) {
  out->append("Set-Cookie: ");
  out->append(kClickCookie);
  out->push_back('=');
  out->append(click_id);
  out->append(attributes);
}

}  // namespace ct::edge

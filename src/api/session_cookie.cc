#include "api/session_cookie.h"

#include "common/hash.h"
#include "common/password.h"
#include "common/random.h"

namespace ct::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> SessionCookieValue(const ApiRequest& req) {
  for (const auto& [name, value] : req.headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) == kSessionCookie) {
        return std::string(Trim(pair.substr(eq + 1)));
      }
    }
  }
  return std::nullopt;
}

std::string SessionSetCookie(std::string_view token, int64_t max_age_s, bool secure) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(token) +
                  "; Path=/; Max-Age=" + std::to_string(max_age_s) + "; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

std::string ClearSessionCookie(bool secure) { return SessionSetCookie("", 0, secure); }

std::string NewSecretToken() {
  char bytes[32];
  RandomBytes(bytes, sizeof bytes);
  return Base64UrlEncode(std::string_view(bytes, sizeof bytes));
}

bool OriginMatchesHost(const ApiRequest& req) {
  const std::string* origin = req.Header("origin");
  if (origin == nullptr) return true;
  const std::string* host = req.Header("host");
  if (host == nullptr || host->empty()) return false;
  std::string_view o = *origin;
  size_t scheme = o.find("://");
  if (scheme == std::string_view::npos) return false;  // includes "null"
  std::string_view authority = o.substr(scheme + 3);
  if (authority.empty() || authority.find('/') != std::string_view::npos) return false;
  // Host names compare case-insensitively.
  if (authority.size() != host->size()) return false;
  for (size_t i = 0; i < authority.size(); ++i) {
    char a = authority[i], b = (*host)[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

bool CsrfTokenMatches(const ApiRequest& req, std::string_view csrf_token) {
  const std::string* h = req.Header("x-csrf-token");
  return h != nullptr && !csrf_token.empty() && ConstantTimeEquals(*h, csrf_token);
}

}  // namespace ct::api

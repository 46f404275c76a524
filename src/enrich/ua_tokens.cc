#include "enrich/ua_tokens.h"

#include <array>

namespace ct::enrich {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (prefix.size() > s.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != Lower(prefix[i])) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view s, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (StartsWithIgnoreCase(s.substr(i), needle)) return true;
  }
  return false;
}

template <size_t N>
bool ContainsAny(std::string_view s, const std::array<std::string_view, N>& needles) {
  for (std::string_view n : needles) {
    if (ContainsIgnoreCase(s, n)) return true;
  }
  return false;
}

// uap-core names Linux distributions by their own names.
constexpr std::array<std::string_view, 17> kLinuxFamilies = {
    "Linux", "Ubuntu", "Kubuntu", "Xubuntu", "Lubuntu",  "Debian",    "Fedora", "Red Hat", "CentOS",
    "Mint",  "Arch",   "Gentoo",  "SUSE",    "openSUSE", "Slackware", "Mageia", "Mandriva"};

constexpr std::array<std::string_view, 5> kConsoleMarkers = {"PlayStation", "Xbox", "Nintendo",
                                                             "Wii", "Ouya"};
constexpr std::array<std::string_view, 14> kTvMarkers = {
    "SmartTV",    "Smart-TV", "Smart TV", "HbbTV",  "AppleTV", "Apple TV", "GoogleTV",
    "Android TV", "CrKey",    "Roku",     "BRAVIA", "Web0S",   "webOS.TV", "AFTB"};
constexpr std::array<std::string_view, 4> kTabletMarkers = {"iPad", "Tablet", "Kindle",
                                                            "Galaxy Tab"};
constexpr std::array<std::string_view, 6> kMobileOsFamilies = {
    "Windows Phone", "Windows Mobile", "BlackBerry", "Symbian", "KaiOS", "Firefox OS"};

}  // namespace

std::string_view OsToken(std::string_view os) {
  if (os.empty()) return "";
  if (StartsWithIgnoreCase(os, "Windows")) return "windows";
  if (StartsWithIgnoreCase(os, "Mac OS") || StartsWithIgnoreCase(os, "macOS")) return "macos";
  if (os == "iOS" || os == "iPadOS") return "ios";
  if (os == "Android") return "android";
  if (StartsWithIgnoreCase(os, "Chrome OS") || StartsWithIgnoreCase(os, "ChromeOS")) {
    return "chromeos";
  }
  for (std::string_view l : kLinuxFamilies) {
    if (StartsWithIgnoreCase(os, l)) return "linux";
  }
  return "other";
}

std::string_view BrowserToken(std::string_view b) {
  // uap-core spells the same engine's variants as separate families ("Chrome Mobile WebView",
  // "Chrome Mobile iOS", "Mobile Safari UI/WKWebView"); reports want the brand.
  if (StartsWithIgnoreCase(b, "Chrome") || StartsWithIgnoreCase(b, "Chromium") ||
      StartsWithIgnoreCase(b, "HeadlessChrome")) {
    return "chrome";
  }
  if (StartsWithIgnoreCase(b, "Mobile Safari") || StartsWithIgnoreCase(b, "Safari")) {
    return "safari";
  }
  if (StartsWithIgnoreCase(b, "Firefox")) return "firefox";
  if (StartsWithIgnoreCase(b, "Edge")) return "edge";
  if (StartsWithIgnoreCase(b, "Opera")) return "opera";
  if (StartsWithIgnoreCase(b, "Samsung Internet")) return "samsung";
  if (b == "IE" || b == "IE Mobile") return "ie";
  return "other";
}

std::string_view DeviceToken(const UapFamilies& f, std::string_view os,
                             std::string_view user_agent) {
  if (f.device == "Spider") return "bot";  // uap-core's name for every crawler device
  if (ContainsAny(f.device, kConsoleMarkers) || ContainsAny(f.os, kConsoleMarkers)) {
    return "console";
  }
  if (ContainsAny(user_agent, kTvMarkers) || ContainsIgnoreCase(f.device, " TV")) return "tv";
  if (ContainsAny(f.device, kTabletMarkers) || ContainsAny(f.model, kTabletMarkers)) {
    return "tablet";
  }
  if (os == "android") {
    // Google's rule for Android: phones' browsers put "Mobile" in the User-Agent, tablets'
    // do not. It holds for Chrome, Samsung Internet and Firefox alike.
    return ContainsIgnoreCase(user_agent, "Mobile") ? "mobile" : "tablet";
  }
  if (os == "ios") return "mobile";  // iPads were caught above (iPadOS 13+ claims to be a Mac)
  if (ContainsAny(f.os, kMobileOsFamilies) || f.device == "Generic Smartphone" ||
      f.device == "Generic Feature Phone") {
    return "mobile";
  }
  if (os == "windows" || os == "macos" || os == "linux" || os == "chromeos") {
    // uap-core has no "desktop": a PC is device "Other" (or "Mac") on a desktop OS.
    if (f.device == "Other" || f.device == "Mac" || f.device.empty()) return "desktop";
  }
  return "other";
}

}  // namespace ct::enrich

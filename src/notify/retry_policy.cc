#include "notify/retry_policy.h"

#include <curl/curl.h>

#include <algorithm>
#include <string>

#include "notify/notifier.h"

namespace ct::notify {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::vector<std::chrono::seconds> DefaultRetrySchedule() {
  using namespace std::chrono;
  return {seconds(5), minutes(5), minutes(30), hours(2), hours(5),
          hours(10),  hours(14),  hours(20),   hours(20)};
}

Result<std::vector<std::chrono::seconds>> ParseRetrySchedule(std::string_view text) {
  std::vector<std::chrono::seconds> out;
  // An empty schedule means the default to the notifier (NotifierOptions): refuse it here so
  // that "" in the configuration is an error, not a silent 72 h of retries.
  if (Trim(text).empty()) return Status::InvalidArgument("postbacks.retry_schedule is empty");
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string_view item = Trim(text.substr(pos, comma == text.npos ? text.npos : comma - pos));
    pos = comma == text.npos ? text.size() + 1 : comma + 1;
    auto bad = [&] {
      return Status::InvalidArgument("postbacks.retry_schedule: bad step '" + std::string(item) +
                                     "' (want a number and a unit s, m, h or d, e.g. 30m)");
    };
    if (item.size() < 2 || item.size() > 8) return bad();
    int64_t n = 0;
    for (char c : item.substr(0, item.size() - 1)) {
      if (c < '0' || c > '9') return bad();
      n = n * 10 + (c - '0');
    }
    int64_t unit = 0;
    switch (item.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return bad();
    }
    if (n <= 0 || n * unit > 30 * 86400) return bad();  // a step longer than a month is a typo
    out.emplace_back(n * unit);
  }
  return out;
}

std::optional<std::chrono::microseconds> RetryDelay(
    const std::vector<std::chrono::seconds>& schedule, int attempt, double jitter,
    std::mt19937_64& rng) {
  if (attempt < 1 || static_cast<size_t>(attempt) > schedule.size()) return std::nullopt;
  double base = static_cast<double>(
      std::chrono::duration_cast<std::chrono::microseconds>(schedule[attempt - 1]).count());
  jitter = std::clamp(jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
  return std::chrono::microseconds(static_cast<int64_t>(base * factor(rng)));
}

std::optional<std::chrono::microseconds> ParseRetryAfter(std::string_view value, int64_t now_us) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  constexpr int64_t kCapUs =
      std::chrono::duration_cast<std::chrono::microseconds>(kMaxRetryAfter).count();
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::microseconds(kCapUs);
    int64_t s = std::stoll(std::string(value));
    return std::chrono::microseconds(std::min(s * 1'000'000, kCapUs));
  }
  // An HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"); curl_getdate also reads the obsolete
  // RFC 850 and asctime forms that RFC 9110 asks recipients to accept.
  time_t t = curl_getdate(std::string(value).c_str(), nullptr);
  if (t == -1) return std::nullopt;
  int64_t wait = static_cast<int64_t>(t) * 1'000'000 - now_us;
  return std::chrono::microseconds(std::clamp<int64_t>(wait, 0, kCapUs));
}

}  // namespace ct::notify

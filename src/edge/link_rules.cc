#include "edge/link_rules.h"

#include <algorithm>

#include "common/random.h"

namespace ct::edge {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

ClickDecision Expired(const LinkOptions& o) {
  if (o.fallback_url.empty()) return {ClickOutcome::kGone, {}};
  return {ClickOutcome::kFallback, o.fallback_url};
}

// Takes one click off the cap; false when the cap is reached. A compare-and-swap loop, so
// concurrent clicks on two threads never overshoot it.
bool TakeClick(std::atomic<int64_t>& clicks, int64_t max, bool counts) {
  int64_t n = clicks.load(std::memory_order_relaxed);
  for (;;) {
    if (n >= max) return false;
    if (!counts) return true;  // a HEAD looks, it does not spend
    if (clicks.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  }
}

}  // namespace

FastRng::FastRng() : s_(RandomU64()) {}

bool RuleMatches(const TargetingRule& rule, VisitorFacts& facts) {
  // Cheapest first; a lookup happens only if the earlier lists matched.
  if (!rule.languages.empty() && !Contains(rule.languages, facts.Language())) return false;
  if (!rule.countries.empty() && !Contains(rule.countries, facts.Country())) return false;
  if (!rule.devices.empty() && !Contains(rule.devices, facts.Device())) return false;
  if (!rule.os.empty() && !Contains(rule.os, facts.Os())) return false;
  return true;
}

ClickDecision DecideClick(const LinkEntry& link, const ClickInput& in, VisitorFacts& facts,
                          FastRng& rng) {
  const LinkExtras* x = link.extras();
  if (x == nullptr) return {ClickOutcome::kRedirect, link.destination()};
  const LinkOptions& o = x->options;
  if (!o.password_hash.empty() && !in.password_ok) return {ClickOutcome::kPasswordRequired, {}};
  if (o.expires_at_us != 0 && in.now_us >= o.expires_at_us) return Expired(o);
  if (o.max_clicks > 0 && x->clicks && !TakeClick(*x->clicks, o.max_clicks, in.counts)) {
    return Expired(o);
  }
  for (const TargetingRule& r : o.rules) {
    if (RuleMatches(r, facts)) return {ClickOutcome::kRedirect, r.destination};
  }
  if (x->total_weight > 0) {
    uint32_t pick = rng.Below(static_cast<uint32_t>(x->total_weight));
    for (const WeightedDestination& d : o.rotation) {
      if (d.weight <= 0) continue;
      if (pick < static_cast<uint32_t>(d.weight)) return {ClickOutcome::kRedirect, d.url};
      pick -= static_cast<uint32_t>(d.weight);
    }
  }
  return {ClickOutcome::kRedirect, link.destination()};
}

}  // namespace ct::edge

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

// The destination at position `pick` (< total weight) of the cumulative weights.
std::string_view AtWeight(const std::vector<WeightedDestination>& dests, uint32_t pick) {
  for (const WeightedDestination& d : dests) {
    if (d.weight <= 0) continue;
    if (pick < static_cast<uint32_t>(d.weight)) return d.url;
    pick -= static_cast<uint32_t>(d.weight);
  }
  return dests.back().url;
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

std::string_view PickDestination(const std::vector<WeightedDestination>& dests,
                                 const RotationState& st, bool counts, FastRng& rng,
                                 bool* overflow) {
  *overflow = false;
  switch (st.mode) {
    case RotationMode::kWeighted:
      return AtWeight(dests, rng.Below(static_cast<uint32_t>(st.total_weight)));
    case RotationMode::kRandom:
      return dests[rng.Below(static_cast<uint32_t>(dests.size()))].url;
    case RotationMode::kSequential: {
      // One atomic add per click: concurrent clicks on several threads each get their own turn.
      // A HEAD looks at the next turn without taking it.
      uint64_t n = counts ? st.sequence->fetch_add(1, std::memory_order_relaxed)
                          : st.sequence->load(std::memory_order_relaxed);
      return AtWeight(dests, static_cast<uint32_t>(n % static_cast<uint64_t>(st.total_weight)));
    }
    case RotationMode::kSpillover:
      for (size_t i = 0; i < dests.size() && i < st.taken.size(); ++i) {
        if (TakeClick(*st.taken[i], dests[i].cap, counts)) return dests[i].url;
      }
      *overflow = true;  // every destination is full
      return dests.back().url;
  }
  return dests.front().url;
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
  // The first matching rule, else the link itself; either may rotate.
  const std::vector<WeightedDestination>* dests = &o.rotation;
  const RotationState* st = &x->rotation;
  std::string_view fixed = link.destination();
  for (size_t i = 0; i < o.rules.size(); ++i) {
    if (!RuleMatches(o.rules[i], facts)) continue;
    dests = &o.rules[i].rotation;
    st = &x->rule_rotations[i];
    fixed = o.rules[i].destination;
    break;
  }
  if (st->total_weight <= 0) return {ClickOutcome::kRedirect, fixed};
  bool overflow = false;
  std::string_view url = PickDestination(*dests, *st, in.counts, rng, &overflow);
  // A full spillover goes to the link's fallback when it has one, else stays on its last
  // destination: the link never goes dark because a rotator filled up.
  if (overflow && !o.fallback_url.empty()) return {ClickOutcome::kFallback, o.fallback_url};
  return {ClickOutcome::kRedirect, url};
}

}  // namespace ct::edge

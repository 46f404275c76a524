// Per-click evaluation of a link's options, in the contract's order: password gate ->
// expiry / click cap (fallback or 410) -> first matching targeting rule (its destination, or
// its nested rotation) -> the link's rotation -> the link's destination. Rotations pick by
// their RotationMode (store.h): weighted, sequential, random, spillover. Pure apart from the
// counters (LinkExtras::clicks, RotationState) and the RNG the caller passes, so it is
// unit-testable without a server. Lock-free and allocation-free: relaxed atomics only.
//
// Visitor facts (country, device/os, language) are asked through VisitorFacts only when a rule
// needs them: a GeoDb or User-Agent lookup is not free, and most links have no rules.
#pragma once

#include <cstdint>
#include <string_view>

#include "edge/link_table.h"

namespace ct::edge {

// What the caller knows (or can find out) about the visitor. Implementations cache: each
// getter may be called several times per click. Empty string = unknown (matches no rule).
class VisitorFacts {
 public:
  virtual ~VisitorFacts() = default;
  virtual std::string_view Country() = 0;  // ISO alpha-2, upper case
  virtual std::string_view Device() = 0;   // desktop|mobile|tablet|...
  virtual std::string_view Os() = 0;       // windows|macos|ios|android|...
  virtual std::string_view Browser() = 0;
  virtual std::string_view Language() = 0;  // primary subtag, lower case
};

// xoshiro-style fast PRNG for the rotation: one per I/O thread, seeded from the CSPRNG. Not
// for secrets.
class FastRng {
 public:
  FastRng();  // seeded from RandomU64()
  explicit FastRng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    // splitmix64: one multiply-xorshift chain, good enough for a traffic split.
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0), by the multiply-shift method (bias below 2^-32 for n < 2^32).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }

 private:
  uint64_t s_;
};

enum class ClickOutcome {
  kRedirect,          // 302 to `destination` (a template: macros still to expand)
  kFallback,          // expired or capped: 302 to the fallback_url (kFlagFallback)
  kGone,              // expired or capped without a fallback: 410
  kPasswordRequired,  // a password link without a verified password: the form
};

struct ClickDecision {
  ClickOutcome outcome = ClickOutcome::kRedirect;
  std::string_view destination;  // into the LinkEntry/LinkExtras; valid while they are
};

struct ClickInput {
  int64_t now_us = 0;
  bool counts = true;        // a GET (not a HEAD): counts toward max_clicks when it redirects
  bool password_ok = false;  // the visitor just posted the right password
};

ClickDecision DecideClick(const LinkEntry& link, const ClickInput& in, VisitorFacts& facts,
                          FastRng& rng);

// One pick of a rotation of 2+ destinations (st.total_weight > 0). `counts` false (a HEAD)
// shows the destination without spending a sequential turn or a spillover click. *overflow is
// set when a spillover rotation is full (the last destination is returned).
std::string_view PickDestination(const std::vector<WeightedDestination>& dests,
                                 const RotationState& st, bool counts, FastRng& rng,
                                 bool* overflow);

// True when `rule` matches the visitor (each non-empty list contains the visitor's value).
bool RuleMatches(const TargetingRule& rule, VisitorFacts& facts);

}  // namespace ct::edge

#include "edge/link_table.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <unordered_set>
#include <utility>

namespace ct::edge {
namespace {

constexpr size_t kMaxDestinationBytes = UINT16_MAX;

bool HasMacro(std::string_view url) { return url.find('{') != url.npos; }

// The shard of a hash: its top byte; the slot: its low bits (independent of the shard).
size_t ShardOf(uint32_t hash) { return hash >> 24; }

// Builds the state of `rotation`, sharing counters with `old` (the previous version's state of
// the same rotation, with its destinations `old_dests`; null when there was none). A new
// spillover counter starts at the URL's committed clicks, read once through `seeds`.
RotationState MakeRotationState(const std::vector<WeightedDestination>& rotation, RotationMode mode,
                                const RotationState* old,
                                const std::vector<WeightedDestination>* old_dests,
                                const std::function<int64_t(const std::string&)>& seed) {
  RotationState st;
  st.mode = mode;
  if (rotation.size() < 2) return st;
  for (const WeightedDestination& d : rotation) st.total_weight += d.weight > 0 ? d.weight : 0;
  if (mode == RotationMode::kSequential) {
    st.sequence = old != nullptr && old->sequence ? old->sequence
                                                  : std::make_shared<std::atomic<uint64_t>>(0);
  }
  if (mode == RotationMode::kSpillover) {
    st.taken.reserve(rotation.size());
    for (const WeightedDestination& d : rotation) {
      // The same position first (so a rotation listing a URL twice keeps both counters), else
      // the URL wherever it moved.
      std::shared_ptr<std::atomic<int64_t>> counter;
      if (old != nullptr && old_dests != nullptr) {
        const size_t j = st.taken.size();
        size_t n = std::min(old->taken.size(), old_dests->size());
        if (j < n && (*old_dests)[j].url == d.url) counter = old->taken[j];
        for (size_t k = 0; k < n && !counter; ++k) {
          if ((*old_dests)[k].url == d.url) counter = old->taken[k];
        }
      }
      if (!counter) counter = std::make_shared<std::atomic<int64_t>>(seed(d.url));
      st.taken.push_back(std::move(counter));
    }
  }
  return st;
}

}  // namespace

// The kind sits in the padding after the lengths: a pixel flag costs no byte per link.
static_assert(sizeof(LinkEntry) == 40);

// ---- LinkEntry ------------------------------------------------------------------------------

LinkEntry* LinkEntry::Make(const LinkRow& row, uint32_t domain,
                           std::unique_ptr<LinkExtras> extras) {
  size_t bytes = sizeof(LinkEntry) + row.slug.size() + row.destination.size();
  void* mem = ::operator new(bytes);
  auto* e = new (mem) LinkEntry();
  e->domain_ = domain;
  e->slug_len_ = static_cast<uint16_t>(row.slug.size());
  e->dest_len_ = static_cast<uint16_t>(row.destination.size());
  e->link_id_ = row.id;
  e->account_id_ = row.account_id;
  e->kind_ = row.kind;
  e->extras_ = extras.release();
  char* data = reinterpret_cast<char*>(e + 1);
  std::memcpy(data, row.slug.data(), row.slug.size());
  std::memcpy(data + row.slug.size(), row.destination.data(), row.destination.size());
  return e;
}

void LinkEntry::Unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~LinkEntry();
    ::operator delete(const_cast<LinkEntry*>(this));
  }
}

// ---- LinkShard ------------------------------------------------------------------------------

LinkShard::~LinkShard() {
  for (const LinkEntry* e : slots) {
    if (e != nullptr) e->Unref();
  }
}

namespace {
// The home slot of a hash in `cap` slots: the 24 bits below the shard byte, scaled to [0, cap)
// by a multiply (any capacity, not just powers of two: the table can be 80% full).
size_t Home(uint32_t hash, size_t cap) {
  return static_cast<size_t>((static_cast<uint64_t>(hash << 8) * cap) >> 32);
}
}  // namespace

const LinkEntry* LinkShard::Find(uint32_t hash, uint32_t domain, std::string_view slug) const {
  size_t cap = slots.size();
  if (cap == 0) return nullptr;
  for (size_t i = Home(hash, cap);; i = (i + 1 == cap ? 0 : i + 1)) {
    const LinkEntry* e = slots[i];
    if (e == nullptr) return nullptr;
    if (e->domain_ == domain && e->slug() == slug) return e;
  }
}

namespace {

// Builds a shard holding `entries` (each already Ref()ed for it).
std::shared_ptr<const LinkShard> BuildShard(const std::vector<const LinkEntry*>& entries) {
  auto shard = std::make_shared<LinkShard>();
  if (entries.empty()) return shard;
  // At most 80% full (8 bytes a slot): linear probing stays short, and an empty slot always
  // ends a probe.
  size_t cap = entries.size() + entries.size() / 4 + 1;
  shard->slots.assign(cap, nullptr);
  for (const LinkEntry* e : entries) {
    size_t i = Home(LinkTable::Hash(e->domain(), e->slug()), cap);
    while (shard->slots[i] != nullptr) i = (i + 1 == cap ? 0 : i + 1);
    shard->slots[i] = e;
  }
  shard->size = entries.size();
  return shard;
}

}  // namespace

// ---- IdIndex --------------------------------------------------------------------------------

size_t LinkTable::IdIndex::Slot(int64_t id, size_t cap) {
  uint64_t z = static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ull;
  return static_cast<size_t>(((z >> 32) * cap) >> 32);
}

const LinkEntry* LinkTable::IdIndex::Find(int64_t id) const {
  size_t cap = slots_.size();
  if (cap == 0) return nullptr;
  for (size_t i = Slot(id, cap);; i = (i + 1 == cap ? 0 : i + 1)) {
    const LinkEntry* e = slots_[i];
    if (e == nullptr || e->link_id() == id) return e;
  }
}

void LinkTable::IdIndex::Grow() {
  std::vector<const LinkEntry*> old = std::move(slots_);
  size_t cap = old.empty() ? 64 : old.size() + old.size() / 2;
  slots_.assign(cap, nullptr);
  for (const LinkEntry* e : old) {
    if (e == nullptr) continue;
    size_t i = Slot(e->link_id(), cap);
    while (slots_[i] != nullptr) i = (i + 1 == cap ? 0 : i + 1);
    slots_[i] = e;
  }
}

void LinkTable::IdIndex::Put(const LinkEntry* e) {
  if ((size_ + 1) * 5 > slots_.size() * 4) Grow();  // at most 80% full
  size_t cap = slots_.size();
  for (size_t i = Slot(e->link_id(), cap);; i = (i + 1 == cap ? 0 : i + 1)) {
    if (slots_[i] == nullptr) {
      slots_[i] = e;
      ++size_;
      return;
    }
    if (slots_[i]->link_id() == e->link_id()) {
      slots_[i] = e;
      return;
    }
  }
}

void LinkTable::IdIndex::Erase(int64_t id) {
  size_t cap = slots_.size();
  if (cap == 0) return;
  auto next = [cap](size_t i) { return i + 1 == cap ? 0 : i + 1; };
  size_t i = Slot(id, cap);
  while (slots_[i] != nullptr && slots_[i]->link_id() != id) i = next(i);
  if (slots_[i] == nullptr) return;
  // Backward-shift deletion: move later entries of the run into the hole, so lookups never
  // need tombstones.
  slots_[i] = nullptr;
  --size_;
  for (size_t j = next(i); slots_[j] != nullptr; j = next(j)) {
    size_t home = Slot(slots_[j]->link_id(), cap);
    // Move j into the hole at i unless its home lies in the cyclic range (i, j].
    bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!in_range) {
      slots_[i] = slots_[j];
      slots_[j] = nullptr;
      i = j;
    }
  }
}

// ---- Snapshot -------------------------------------------------------------------------------

const LinkEntry* LinkTable::Snapshot::Find(uint32_t domain, std::string_view slug) const {
  uint32_t h = Hash(domain, slug);
  const LinkShard* s = shards_[ShardOf(h)].get();
  return s == nullptr ? nullptr : s->Find(h, domain, slug);
}

uint32_t LinkTable::Snapshot::DomainOfHost(std::string_view host) const {
  if (!hosts_ || hosts_->empty()) return kNoDomain;
  // Heterogeneous lookup would need a transparent hash; hosts are few and short.
  auto it = hosts_->find(std::string(host));
  return it == hosts_->end() ? kNoDomain : it->second;
}

const GoalRow* LinkTable::Snapshot::FindGoal(std::string_view key) const {
  if (!goals_) return nullptr;
  auto it = goals_->by_key.find(key);
  return it == goals_->by_key.end() ? nullptr : it->second;
}

const GoalRow* LinkTable::Snapshot::FindGoalById(int64_t goal_id) const {
  if (!goals_) return nullptr;
  auto it = goals_->by_id.find(goal_id);
  return it == goals_->by_id.end() ? nullptr : &it->second;
}

// ---- LinkTable ------------------------------------------------------------------------------

LinkTable::LinkTable() {
  auto s = std::make_shared<Snapshot>();
  for (auto& shard : s->shards_) shard = std::make_shared<LinkShard>();
  s->hosts_ = std::make_shared<const std::unordered_map<std::string, uint32_t>>();
  s->goals_ = std::make_shared<const GoalIndex>();
  snapshot_ = std::move(s);
}

LinkTable::~LinkTable() = default;

std::shared_ptr<const LinkTable::Snapshot> LinkTable::Current() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

uint32_t LinkTable::Hash(uint32_t domain, std::string_view slug) {
  // FNV-1a over the domain id and the slug: slugs are short, so this beats std::hash's setup.
  uint32_t h = 2166136261u ^ domain;
  h *= 16777619u;
  for (char c : slug) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  // Final mix: the shard comes from the top bits, the slot from the bottom ones.
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  return h;
}

bool LinkTable::IsSafeDestination(std::string_view destination) {
  if (destination.empty()) return false;
  for (unsigned char c : destination) {
    // Anything at or below space, DEL and every non-ASCII byte: a CR or LF here would let a
    // destination inject headers into the 302. Stored destinations are percent-encoded.
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

uint32_t LinkTable::InternDomain(const std::string& domain) {
  auto [it, inserted] = domain_ids_.try_emplace(domain, static_cast<uint32_t>(domain_ids_.size()));
  return it->second;
}

std::unique_ptr<LinkExtras> LinkTable::MakeExtras(const LinkRow& row, const LinkEntry* old,
                                                  const SeedClicks& seed,
                                                  const SeedDestinations& seed_destinations,
                                                  bool* unsafe) const {
  const LinkOptions& o = row.options;
  bool any = !o.rotation.empty() || !o.rules.empty() || o.expires_at_us != 0 || o.max_clicks != 0 ||
             !o.fallback_url.empty() || !o.password_hash.empty() || o.forward_query ||
             !o.utm.empty() || HasMacro(row.destination);
  if (!any) return nullptr;
  auto x = std::make_unique<LinkExtras>();
  x->options = o;
  // Static URLs are checked now; templates with macros after expansion, per click.
  auto check = [&](const std::string& url) {
    if (!HasMacro(url) && !IsSafeDestination(url)) *unsafe = true;
    if (HasMacro(url)) x->has_macros = true;
  };
  check(row.destination);
  for (const WeightedDestination& d : o.rotation) check(d.url);
  for (const TargetingRule& r : o.rules) {
    check(r.destination);
    for (const WeightedDestination& d : r.rotation) check(d.url);
    x->rules_need_country |= !r.countries.empty();
    x->rules_need_user_agent |= !r.devices.empty() || !r.os.empty();
    x->rules_need_language |= !r.languages.empty();
  }
  // Rotation counters: kept from the previous version of the same rotation (the link's, or the
  // rule at the same index), else new; the store is asked for seeds once, if at all.
  const LinkExtras* ox = old != nullptr ? old->extras() : nullptr;
  std::optional<std::unordered_map<std::string, int64_t>> seeds;
  auto seed_of = [&](const std::string& url) -> int64_t {
    if (!seed_destinations) return 0;
    if (!seeds) seeds = seed_destinations(row);
    auto it = seeds->find(url);
    return it == seeds->end() ? 0 : it->second;
  };
  x->rotation = MakeRotationState(o.rotation, o.rotation_mode, ox ? &ox->rotation : nullptr,
                                  ox ? &ox->options.rotation : nullptr, seed_of);
  x->rule_rotations.reserve(o.rules.size());
  for (size_t i = 0; i < o.rules.size(); ++i) {
    bool had = ox != nullptr && i < ox->rule_rotations.size();
    x->rule_rotations.push_back(MakeRotationState(
        o.rules[i].rotation, o.rules[i].rotation_mode, had ? &ox->rule_rotations[i] : nullptr,
        had ? &ox->options.rules[i].rotation : nullptr, seed_of));
  }
  if (!o.fallback_url.empty()) check(o.fallback_url);
  if (o.max_clicks > 0) {
    if (old != nullptr && old->extras() != nullptr && old->extras()->clicks) {
      x->clicks = old->extras()->clicks;
    } else {
      x->clicks = std::make_shared<std::atomic<int64_t>>(seed ? seed(row) : 0);
    }
  }
  return x;
}

namespace {
// Entries compared by key (domain, slug), for de-duplicating a batch.
struct KeyHash {
  size_t operator()(const LinkEntry* e) const { return LinkTable::Hash(e->domain(), e->slug()); }
};
struct KeyEq {
  bool operator()(const LinkEntry* a, const LinkEntry* b) const {
    return a->domain() == b->domain() && a->slug() == b->slug();
  }
};
}  // namespace

size_t LinkTable::Apply(const std::vector<LinkRow>& rows, const std::vector<DomainRow>* domains,
                        const SeedClicks& seed, const SeedDestinations& seed_destinations) {
  auto next = std::make_shared<Snapshot>(*Current());
  // Per touched shard: entries to drop and entries to add (each add holds one reference).
  std::array<std::vector<const LinkEntry*>, kShards> removed, added;
  std::array<bool, kShards> touched{};
  std::unordered_set<const LinkEntry*> fresh;  // added by this batch
  // Forgets `e` by id if the id still points at it.
  auto forget = [this](const LinkEntry* e) {
    if (by_id_.Find(e->link_id()) == e) by_id_.Erase(e->link_id());
  };
  size_t skipped = 0;
  for (const LinkRow& row : rows) {
    const LinkEntry* old = nullptr;
    bool drop_old = false;  // `old` was added by this batch: its reference is ours to drop
    if (const LinkEntry* found = by_id_.Find(row.id); found != nullptr) {
      old = found;
      by_id_.Erase(row.id);
      size_t s = ShardOf(Hash(old->domain(), old->slug()));
      if (fresh.erase(old) > 0) {
        // The same link twice in one batch: the later row replaces the earlier one.
        std::erase(added[s], old);
        drop_old = true;  // after MakeExtras, which may take its click counter
      } else {
        removed[s].push_back(old);  // alive until the current snapshot is released
        touched[s] = true;
      }
    }
    bool unsafe = false;
    std::unique_ptr<LinkExtras> extras;
    if (!row.deleted && row.kind == LinkKind::kPixel) {
      // A pixel never redirects: no destination to check, no options to evaluate.
      unsafe = row.slug.size() > UINT8_MAX || row.destination.size() > kMaxDestinationBytes;
    } else if (!row.deleted) {
      unsafe = !IsSafeDestination(row.destination) && !HasMacro(row.destination);
      unsafe |= row.destination.size() > kMaxDestinationBytes || row.slug.size() > UINT8_MAX;
      extras = MakeExtras(row, old, seed, seed_destinations, &unsafe);
    }
    if (drop_old) old->Unref();
    if (row.deleted) continue;
    if (unsafe) {
      ++skipped;
      continue;
    }
    uint32_t domain = InternDomain(row.domain);
    uint32_t hash = Hash(domain, row.slug);
    const LinkEntry* e = LinkEntry::Make(row, domain, std::move(extras));
    size_t s = ShardOf(hash);
    added[s].push_back(e);
    touched[s] = true;
    fresh.insert(e);
    by_id_.Put(e);
  }
  // Rebuild only the touched shards; the others are shared with the previous snapshot.
  for (size_t s = 0; s < kShards; ++s) {
    if (!touched[s]) continue;
    // Within the batch, a later row for the same key replaces an earlier one.
    std::unordered_set<const LinkEntry*, KeyHash, KeyEq> keys;
    keys.reserve(added[s].size());
    for (const LinkEntry* a : added[s]) {
      auto [it, inserted] = keys.insert(a);
      if (!inserted) {
        forget(*it);
        (*it)->Unref();
        keys.erase(it);
        keys.insert(a);
      }
    }
    std::unordered_set<const LinkEntry*> gone(removed[s].begin(), removed[s].end());
    const LinkShard& cur = *next->shards_[s];
    std::vector<const LinkEntry*> keep;
    keep.reserve(cur.size + keys.size());
    for (const LinkEntry* e : cur.slots) {
      if (e == nullptr || gone.count(e) > 0) continue;
      // Same (domain, slug) as a new row: the new row wins. The store keeps keys unique; this
      // only guards against a batch that moves a key from one link to another.
      if (keys.count(e) > 0) {
        forget(e);
        continue;
      }
      e->Ref();
      keep.push_back(e);
    }
    keep.insert(keep.end(), keys.begin(), keys.end());
    next->size_ = next->size_ - cur.size + keep.size();
    next->shards_[s] = BuildShard(keep);
  }
  if (domains != nullptr) {
    auto hosts = std::make_shared<std::unordered_map<std::string, uint32_t>>();
    for (const DomainRow& d : *domains) (*hosts)[d.host] = InternDomain(d.host);
    next->hosts_ = std::move(hosts);
  }
  {
    std::lock_guard lock(mu_);
    snapshot_ = std::move(next);
  }
  version_.fetch_add(1, std::memory_order_release);
  return skipped;
}

void LinkTable::ApplyGoals(const std::vector<GoalRow>& goals) {
  auto next = std::make_shared<Snapshot>(*Current());
  auto index = std::make_shared<GoalIndex>();
  index->by_id = next->goals_->by_id;
  for (const GoalRow& g : goals) {
    if (g.deleted) {
      index->by_id.erase(g.id);
    } else {
      index->by_id.insert_or_assign(g.id, g);
    }
  }
  // Keys are unique in the store; should a batch ever move one, the higher goal id wins, so
  // the answer does not depend on map order across publications.
  for (const auto& [id, g] : index->by_id) index->by_key.insert_or_assign(g.key, &g);
  next->goals_ = std::move(index);
  {
    std::lock_guard lock(mu_);
    snapshot_ = std::move(next);
  }
  version_.fetch_add(1, std::memory_order_release);
}

void FormatRedirectHead(std::string_view location, std::string* out) {
  out->append("HTTP/1.1 302 Found\r\nLocation: ");
  out->append(location);
  out->append("\r\nCache-Control: no-store\r\nContent-Length: 0\r\n");
}

}  // namespace ct::edge

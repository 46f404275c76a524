// LinkTable: the edge's in-memory copy of the link table, (domain, slug) -> where to send the
// visitor, sized for millions of links.
//
// Layout: 256 shards chosen by a hash of (domain, slug). A shard is an immutable open-addressing
// array of pointers to LinkEntry; an entry is ONE allocation (ids, lengths, slug and
// destination bytes) plus, only for links that have options (rules, rotation, expiry, cap,
// password, UTM...), one pointer to a shared LinkExtras. No per-link preformatted response: the
// connection formats the 302 into its own buffer (FormatRedirectHead).
//
// Updates are copy-on-write per shard: Apply() rebuilds only the shards a change batch touches
// (entries are shared between shard versions by an intrusive count), then publishes a new
// Snapshot (256 shard pointers + the host map). Readers are the I/O threads: each keeps a
// LinkTable::Reader, which re-checks an atomic version per request and takes the short mutex
// only when it moved.
//
// Goals (the conversion pixel's table) are few (tens per account): the Snapshot holds one
// immutable GoalIndex, and ApplyGoals copies it whole per change rather than sharding it.
//
// Domains: a link's domain string ("" = default) is interned to a small id; the Snapshot maps
// each live custom host (LinkChanges.domains) to its id. Lookups are exact, case-sensitive on
// the slug.
//
// Thread safety: Apply() from one writer thread at a time (the LinkSyncer); a Reader is owned by
// one thread; a Snapshot (and every entry reached from it) is immutable and valid while the
// caller holds it — copy what you need before giving it up (e.g. before a co_await on a thread
// whose Reader may move on). The LinkTable must outlive its Readers.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace ct::edge {

// The per-click state of one rotation (a link's, or a targeting rule's nested one). The
// destinations themselves stay in LinkExtras::options; this holds what the pick needs.
// Counters are shared with the next version of the link (an update keeps them), and only
// touched with relaxed atomics on the redirect path: no lock, no allocation.
struct RotationState {
  RotationMode mode = RotationMode::kWeighted;
  int total_weight = 0;  // sum of the weights; 0: no rotation (fewer than 2 destinations)
  // kSequential: clicks taken so far; the next goes to position (sequence % total_weight).
  std::shared_ptr<std::atomic<uint64_t>> sequence;
  // kSpillover: clicks each destination has taken (index-aligned with the destinations), seeded
  // from the store's committed clicks to that URL on the link when first loaded.
  std::vector<std::shared_ptr<std::atomic<int64_t>>> taken;
};

// What a link does beyond a plain redirect; owned by its LinkEntry.
struct LinkExtras {
  LinkOptions options;
  RotationState rotation;                     // options.rotation's
  std::vector<RotationState> rule_rotations;  // index-aligned with options.rules
  bool rules_need_country = false;
  bool rules_need_user_agent = false;  // device or os
  bool rules_need_language = false;
  bool has_macros = false;  // some destination holds a '{'
  // Redirects to a non-fallback destination so far (max_clicks > 0 only; else null). Shared
  // with the next version of the link, so an update does not reset the cap.
  std::shared_ptr<std::atomic<int64_t>> clicks;
};

class LinkEntry {
 public:
  int64_t link_id() const { return link_id_; }
  int64_t account_id() const { return account_id_; }
  uint32_t domain() const { return domain_; }
  LinkKind kind() const { return kind_; }  // a pixel answers only /p/{slug}, a link only /{slug}
  std::string_view slug() const { return {data(), slug_len_}; }
  std::string_view destination() const { return {data() + slug_len_, dest_len_}; }
  const LinkExtras* extras() const { return extras_; }

 private:
  friend class LinkTable;
  friend struct LinkShard;
  LinkEntry() = default;
  ~LinkEntry() { delete extras_; }
  static LinkEntry* Make(const LinkRow& row, uint32_t domain, std::unique_ptr<LinkExtras> extras);
  void Ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() const;

  // Laid out for size (40 bytes before the strings): with a 6-8 byte slug and a ~60-byte
  // destination the whole entry fits one 128-byte malloc chunk.
  mutable std::atomic<uint32_t> refs_{1};
  uint32_t domain_ = 0;
  int64_t link_id_ = 0;
  int64_t account_id_ = 0;
  const LinkExtras* extras_ = nullptr;  // owned; null for a plain link
  uint16_t dest_len_ = 0;
  uint8_t slug_len_ = 0;  // slugs are at most kMaxSlugBytes (64)
  LinkKind kind_ = LinkKind::kLink;
  // The slug, then the destination, follow the object in the same allocation.
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};

// Live goals by id and by key; immutable once published (ApplyGoals builds a new one).
struct GoalIndex {
  GoalIndex() = default;
  GoalIndex(const GoalIndex&) = delete;  // by_key points into by_id: copy by_id, rebuild by_key
  GoalIndex& operator=(const GoalIndex&) = delete;
  std::map<int64_t, GoalRow> by_id;
  std::map<std::string, const GoalRow*, std::less<>> by_key;  // into by_id
};

// One shard version: an open-addressing (linear probing) array, power-of-two sized, at most
// ~70% full. Holds a reference on each entry.
struct LinkShard {
  LinkShard() = default;
  ~LinkShard();
  LinkShard(const LinkShard&) = delete;
  LinkShard& operator=(const LinkShard&) = delete;
  const LinkEntry* Find(uint32_t hash, uint32_t domain, std::string_view slug) const;
  std::vector<const LinkEntry*> slots;  // null = empty
  size_t size = 0;
};

class LinkTable {
 public:
  static constexpr size_t kShards = 256;
  static constexpr uint32_t kDefaultDomain = 0;
  static constexpr uint32_t kNoDomain = UINT32_MAX;  // an unknown host

  // An immutable view of every live link and custom domain.
  class Snapshot {
   public:
    const LinkEntry* Find(uint32_t domain, std::string_view slug) const;
    // Default domain, for tests and single-domain callers.
    const LinkEntry* Find(std::string_view slug) const { return Find(kDefaultDomain, slug); }
    // The domain id of a custom host (lower case, no port), or kNoDomain.
    uint32_t DomainOfHost(std::string_view host) const;
    size_t size() const { return size_; }
    // Live conversion goals, by public key (GET /c/{key}) and by id; null if none.
    const GoalRow* FindGoal(std::string_view key) const;
    const GoalRow* FindGoalById(int64_t goal_id) const;

   private:
    friend class LinkTable;
    std::array<std::shared_ptr<const LinkShard>, kShards> shards_;
    std::shared_ptr<const std::unordered_map<std::string, uint32_t>> hosts_;
    std::shared_ptr<const GoalIndex> goals_;
    size_t size_ = 0;
  };

  // Per-thread cached view; cheap Get() per request.
  class Reader {
   public:
    explicit Reader(const LinkTable* table) : table_(table) {}
    // Valid until the next Get() on this Reader.
    const Snapshot& Get() {
      uint64_t v = table_->version_.load(std::memory_order_acquire);
      if (v != version_ || !snapshot_) {
        snapshot_ = table_->Current();
        version_ = v;
      }
      return *snapshot_;
    }
    // Keeps the current snapshot alive past the next Get() (e.g. across a co_await).
    std::shared_ptr<const Snapshot> Hold() {
      Get();
      return snapshot_;
    }

   private:
    const LinkTable* table_;
    uint64_t version_ = 0;
    std::shared_ptr<const Snapshot> snapshot_;
  };

  // Committed redirects of a link so far (store total + bots), to seed a max_clicks counter.
  using SeedClicks = std::function<int64_t(const LinkRow&)>;
  // Committed redirects of a link per destination URL (the destination breakdown's total +
  // bots), to seed spillover counters. Missing URLs count 0.
  using SeedDestinations = std::function<std::unordered_map<std::string, int64_t>(const LinkRow&)>;

  LinkTable();
  ~LinkTable();

  // Upserts every live row and removes deleted ones, replaces the custom domains when
  // `domains` is given, then publishes the result atomically. Rows whose static destination
  // could not be sent safely in a Location header (control characters, spaces, non-ASCII — the
  // store validates destinations, so this is defence in depth) are skipped and counted in the
  // return value. `seed` is asked once per link that gains a max_clicks counter,
  // `seed_destinations` at most once per link that gains a spillover counter.
  size_t Apply(const std::vector<LinkRow>& rows, const std::vector<DomainRow>* domains = nullptr,
               const SeedClicks& seed = nullptr,
               const SeedDestinations& seed_destinations = nullptr);
  // Upserts live goals and removes deleted ones (LinkChanges.goals), then publishes. Same
  // writer thread as Apply().
  void ApplyGoals(const std::vector<GoalRow>& goals);

  std::shared_ptr<const Snapshot> Current() const;
  size_t Size() const { return Current()->size(); }

  // True once a full load has been applied (the LinkSyncer sets it; /readyz reads it).
  bool loaded() const { return loaded_.load(std::memory_order_acquire); }
  void set_loaded() { loaded_.store(true, std::memory_order_release); }

  static bool IsSafeDestination(std::string_view destination);
  static uint32_t Hash(uint32_t domain, std::string_view slug);

 private:
  uint32_t InternDomain(const std::string& domain);
  std::unique_ptr<LinkExtras> MakeExtras(const LinkRow& row, const LinkEntry* old,
                                         const SeedClicks& seed,
                                         const SeedDestinations& seed_destinations,
                                         bool* unsafe) const;

  mutable std::mutex mu_;  // guards snapshot_ (the pointer, not the immutable snapshot)
  std::shared_ptr<const Snapshot> snapshot_;
  std::atomic<uint64_t> version_{1};
  std::atomic<bool> loaded_{false};

  // Link id -> its entry in the current snapshot (borrowed): open addressing over the entries
  // themselves (the id is in the entry), 8 bytes a slot — a node-based map would cost ~40 bytes
  // a link, a fifth of the table.
  class IdIndex {
   public:
    const LinkEntry* Find(int64_t id) const;
    void Put(const LinkEntry* e);  // replaces the entry with the same id
    void Erase(int64_t id);

   private:
    static size_t Slot(int64_t id, size_t cap);
    void Grow();
    std::vector<const LinkEntry*> slots_;
    size_t size_ = 0;
  };

  // Writer-only state (Apply's thread).
  IdIndex by_id_;
  std::unordered_map<std::string, uint32_t> domain_ids_{{"", kDefaultDomain}};
};

// Appends "HTTP/1.1 302 Found\r\nLocation: <location>\r\nCache-Control: no-store\r\n"
// "Content-Length: 0\r\n" — the caller adds optional headers and the HeaderTail().
void FormatRedirectHead(std::string_view location, std::string* out);

}  // namespace ct::edge

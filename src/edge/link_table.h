// LinkTable: the edge's in-memory copy of the link table, slug -> where to send the visitor.
//
// Readers are the I/O threads, one lookup per request, so the hot path takes no lock: the
// table is an immutable Snapshot behind a shared_ptr, replaced wholesale by Apply(). Each I/O
// thread keeps a LinkTable::Reader, which holds its own shared_ptr and re-checks an atomic
// version counter per request; only when the version moved does it take the (short) mutex to
// pick up the new snapshot.
//
// Thread safety: Apply() from one writer thread at a time (the LinkSyncer); Reader is owned by
// one thread; everything else is safe from any thread. The LinkTable must outlive its Readers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace ct::edge {

struct LinkTarget {
  int64_t link_id = 0;
  int64_t account_id = 0;
  std::string destination;
  // The preformatted 302, for GET and HEAD alike (Content-Length: 0, so the bytes are the
  // same), WITHOUT the blank line that ends the header section, so the caller can add
  // "Connection: close\r\n" before it:
  //   "HTTP/1.1 302 Found\r\nLocation: <destination>\r\nCache-Control: no-store\r\n"
  //   "Content-Length: 0\r\n"
  std::string response_head;
};

class LinkTable {
 public:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // An immutable view of every live link. Lookups are exact, case-sensitive.
  class Snapshot {
   public:
    const LinkTarget* Find(std::string_view slug) const;
    size_t size() const { return by_slug_.size(); }

   private:
    friend class LinkTable;
    std::unordered_map<std::string, std::shared_ptr<const LinkTarget>, StringHash, std::equal_to<>>
        by_slug_;
    std::unordered_map<int64_t, std::string> slug_by_id_;  // a slug can change: drop the old
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

   private:
    const LinkTable* table_;
    uint64_t version_ = 0;
    std::shared_ptr<const Snapshot> snapshot_;
  };

  LinkTable();

  // Upserts every live row and removes deleted ones, then publishes the result atomically.
  // Rows whose destination could not be sent safely in a Location header (control characters,
  // spaces, non-ASCII — the store validates destinations, so this is defence in depth) are
  // skipped and counted in the return value.
  size_t Apply(const std::vector<LinkRow>& rows);

  std::shared_ptr<const Snapshot> Current() const;
  size_t Size() const { return Current()->size(); }

  // True once a full load has been applied (the LinkSyncer sets it; /readyz reads it).
  bool loaded() const { return loaded_.load(std::memory_order_acquire); }
  void set_loaded() { loaded_.store(true, std::memory_order_release); }

  // The 302 head for `destination` (exposed for tests).
  static std::string FormatRedirect(std::string_view destination);
  static bool IsSafeDestination(std::string_view destination);

 private:
  mutable std::mutex mu_;  // guards snapshot_ (the pointer, not the immutable snapshot)
  std::shared_ptr<const Snapshot> snapshot_;
  std::atomic<uint64_t> version_{1};
  std::atomic<bool> loaded_{false};
};

}  // namespace ct::edge

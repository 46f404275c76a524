#include "edge/link_table.h"

#include <utility>

namespace ct::edge {

const LinkTarget* LinkTable::Snapshot::Find(std::string_view slug) const {
  auto it = by_slug_.find(slug);
  return it == by_slug_.end() ? nullptr : it->second.get();
}

LinkTable::LinkTable() : snapshot_(std::make_shared<const Snapshot>()) {}

std::shared_ptr<const LinkTable::Snapshot> LinkTable::Current() const {
  std::lock_guard lock(mu_);
  return snapshot_;
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

std::string LinkTable::FormatRedirect(std::string_view destination) {
  std::string out;
  out.reserve(80 + destination.size());
  out.append("HTTP/1.1 302 Found\r\nLocation: ");
  out.append(destination);
  out.append("\r\nCache-Control: no-store\r\nContent-Length: 0\r\n");
  return out;
}

size_t LinkTable::Apply(const std::vector<LinkRow>& rows) {
  // Copy-on-write: the map copy is O(links) pointer copies per batch of changes, paid by the
  // syncer thread, never by the I/O threads.
  auto next = std::make_shared<Snapshot>(*Current());
  size_t skipped = 0;
  for (const LinkRow& row : rows) {
    auto old = next->slug_by_id_.find(row.id);
    if (old != next->slug_by_id_.end()) {
      next->by_slug_.erase(old->second);
      next->slug_by_id_.erase(old);
    }
    if (row.deleted) continue;
    if (!IsSafeDestination(row.destination)) {
      ++skipped;
      continue;
    }
    auto target = std::make_shared<LinkTarget>();
    target->link_id = row.id;
    target->account_id = row.account_id;
    target->destination = row.destination;
    target->response_head = FormatRedirect(row.destination);
    next->by_slug_[row.slug] = std::move(target);
    next->slug_by_id_[row.id] = row.slug;
  }
  {
    std::lock_guard lock(mu_);
    snapshot_ = std::move(next);
  }
  version_.fetch_add(1, std::memory_order_release);
  return skipped;
}

}  // namespace ct::edge

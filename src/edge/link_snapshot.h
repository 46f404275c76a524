// LinkSnapshot: the edge's last known links, conversion goals and custom domains, with the store
// version they are current to, kept in a local file. In distributed mode the store is
// PostgreSQL on another machine: an edge restarted while it is unreachable loads the snapshot
// and still redirects every link it knew (DESIGN promise 1), then asks the store only for what
// changed after the snapshot's version once it is back.
//
// The file is JSON (one object: format, version, links, goals, domains), replaced whole
// (common/atomic_file.h). Deleted rows are dropped, not kept.
//
// Thread safety: none; the link syncer's poll (serialised) is the only caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace ct::edge {

class LinkSnapshot {
 public:
  // Saves are at most one per `min_interval` (a burst of link edits is one write), except
  // forced ones.
  explicit LinkSnapshot(std::string path,
                        std::chrono::milliseconds min_interval = std::chrono::seconds(5));

  // Folds one successful poll into the state. `domains_complete`: the poll carried the whole
  // domain list (a full load, or domains changed).
  void Merge(const LinkChanges& changes, bool domains_complete);
  // Writes the state if it changed since the last save and the interval has passed (or `force`).
  Status SaveIfDirty(bool force);
  // Reads the file into the state and returns it as the changes since version 0 would be.
  // kNotFound: no snapshot yet; kCorruption: unreadable (the caller serves nothing from it).
  Result<LinkChanges> Load();

  const std::string& path() const { return path_; }
  size_t links() const { return links_.size(); }
  int64_t version() const { return version_; }

  // The file's text for a state, and back (exposed for tests and the fuzz target).
  static std::string Encode(const LinkChanges& state);
  static Result<LinkChanges> Decode(std::string_view text);

 private:
  LinkChanges State() const;

  std::string path_;
  std::chrono::milliseconds min_interval_;
  std::map<int64_t, LinkRow> links_;
  std::map<int64_t, GoalRow> goals_;
  std::vector<DomainRow> domains_;
  int64_t version_ = 0;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_save_{};
};

}  // namespace ct::edge

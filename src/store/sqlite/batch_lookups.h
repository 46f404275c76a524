// BatchLookups: the goals, postbacks and links one commit needs, each read at most once per
// batch (one query per goal, per account's postbacks, per link), so a batch of thousands of
// clicks of an account without postbacks costs one small query, not one per click.
//
// Reads on the commit's connection inside its transaction (they see what the batch wrote).
// Pointers returned stay valid for the lifetime of the BatchLookups. Thread safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct::sqlite {

// What a postback's macros say about a link: {link} and {domain}.
struct LinkRef {
  std::string slug;
  std::string domain;
};

class BatchLookups {
 public:
  explicit BatchLookups(Db* db) : db_(db) {}

  // The live goal of the account; nullptr when it is unknown, deleted or another account's.
  [[nodiscard]] Result<const GoalRow*> Goal(int64_t account_id, int64_t goal_id);
  // The account's live postbacks, disabled ones included (their deliveries are written and
  // wait until the postback is enabled again).
  [[nodiscard]] Result<const std::vector<PostbackRow>*> Postbacks(int64_t account_id);
  // The link's slug and domain (deleted links too); empty when unknown in the account.
  [[nodiscard]] Result<const LinkRef*> Link(int64_t account_id, int64_t link_id);
  // How the account counts uniques; the default for an unknown account.
  [[nodiscard]] Result<UniqueDefinition> Uniques(int64_t account_id);

 private:
  using Key = std::pair<int64_t, int64_t>;  // (account id, object id)

  Db* db_;
  std::map<Key, std::optional<GoalRow>> goals_;
  std::map<int64_t, std::vector<PostbackRow>> postbacks_;
  std::map<Key, LinkRef> links_;
  std::map<int64_t, UniqueDefinition> uniques_;
};

}  // namespace ct::sqlite

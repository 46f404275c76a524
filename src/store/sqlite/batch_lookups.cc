#include "store/sqlite/batch_lookups.h"

#include "store/sqlite/goal_postback_rows.h"

namespace ct::sqlite {

Result<const GoalRow*> BatchLookups::Goal(int64_t account_id, int64_t goal_id) {
  auto it = goals_.find({account_id, goal_id});
  if (it == goals_.end()) {
    Result<Statement> s = db_->Prepare("SELECT " CT_GOAL_COLUMNS
                                       " FROM goals WHERE id = ? AND account_id = ? AND "
                                       "deleted_at IS NULL");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(goal_id, account_id));
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    std::optional<GoalRow> goal;
    if (*found) {
      Result<GoalRow> row = ReadGoalRow(*s);
      if (!row.ok()) return row.status();
      goal = std::move(*row);
    }
    it = goals_.emplace(Key{account_id, goal_id}, std::move(goal)).first;
  }
  return it->second ? &*it->second : nullptr;
}

Result<const std::vector<PostbackRow>*> BatchLookups::Postbacks(int64_t account_id) {
  auto it = postbacks_.find(account_id);
  if (it == postbacks_.end()) {
    Result<Statement> s = db_->Prepare("SELECT " CT_POSTBACK_COLUMNS
                                       " FROM postbacks WHERE account_id = ? AND "
                                       "deleted_at IS NULL ORDER BY id");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(account_id));
    std::vector<PostbackRow> rows;
    for (;;) {
      Result<bool> found = s->Step();
      if (!found.ok()) return found.status();
      if (!*found) break;
      Result<PostbackRow> row = ReadPostbackRow(*s);
      if (!row.ok()) return row.status();
      rows.push_back(std::move(*row));
    }
    it = postbacks_.emplace(account_id, std::move(rows)).first;
  }
  return &it->second;
}

Result<const LinkRef*> BatchLookups::Link(int64_t account_id, int64_t link_id) {
  auto it = links_.find({account_id, link_id});
  if (it == links_.end()) {
    Result<Statement> s =
        db_->Prepare("SELECT slug, domain FROM links WHERE id = ? AND account_id = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(link_id, account_id));
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    LinkRef ref;
    if (*found) ref = {s->ColumnText(0), s->ColumnText(1)};
    it = links_.emplace(Key{account_id, link_id}, std::move(ref)).first;
  }
  return &it->second;
}

Result<UniqueDefinition> BatchLookups::Uniques(int64_t account_id) {
  auto it = uniques_.find(account_id);
  if (it == uniques_.end()) {
    Result<Statement> s = db_->Prepare("SELECT unique_definition FROM accounts WHERE id = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(account_id));
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    UniqueDefinition d = UniqueDefinition::kPerVisitorDay;
    if (*found && s->ColumnInt(0) == static_cast<int64_t>(UniqueDefinition::kIp30Min)) {
      d = UniqueDefinition::kIp30Min;
    }
    it = uniques_.emplace(account_id, d).first;
  }
  return it->second;
}

}  // namespace ct::sqlite

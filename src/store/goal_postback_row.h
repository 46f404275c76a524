// How both engines turn a NewGoal / NewPostback into the row they store and apply an update to
// a row they read, so goals and postbacks behave the same on SQLite and PostgreSQL (as
// store/link_row.h does for links). The SQL around them is each engine's.
#pragma once

#include <cstdint>

#include "store/store.h"

namespace ct {

// The row of a new goal (id 0 until the insert assigns it), created and updated at `now_us`.
GoalRow NewGoalRow(const NewGoal& goal, int64_t now_us, int64_t version);
// The fields `update` sets; the caller stamps version and updated_at.
void ApplyGoalUpdate(const GoalUpdate& update, GoalRow* row);

// The row of a new postback (id 0 until the insert assigns it), created and updated at `now_us`.
PostbackRow NewPostbackRow(const NewPostback& postback, int64_t now_us);
// The fields `update` sets, updated at `now_us`. Only a change of the disabled state restamps
// it: disabling a postback a 410 already disabled keeps the receiver's reason and time.
void ApplyPostbackUpdate(const PostbackUpdate& update, int64_t now_us, PostbackRow* row);

}  // namespace ct

// How both engines turn a NewLink into the LinkRow they store, so a link reads the same from
// SQLite and PostgreSQL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace ct {

// Tags as stored: sorted, duplicates removed.
std::vector<std::string> SortedUniqueTags(std::vector<std::string> tags);

// The row of a new link (id 0 until the insert assigns it), created and updated at `now_us`.
LinkRow NewLinkRow(const NewLink& link, int64_t now_us, int64_t version);

}  // namespace ct

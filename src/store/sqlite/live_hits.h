// The live click stream's read (SqliteStore::ListLiveHits, store.h): an account's hits after a
// commit sequence number, from the partial index hits_by_account_seq (schema v10). The SQL is
// here so a test can check its plan uses that index.
#pragma once

#include "store/sqlite/hit_row.h"

namespace ct::sqlite {

// ?1 account_id, ?2 after_seq, ?3 limit. `commit_seq > 0` repeats the partial index's WHERE
// term word for word: SQLite uses a partial index only for a query whose WHERE contains it.
inline constexpr const char* kLiveHitsSql =
    "SELECT " CT_HIT_ROW_COLUMNS
    ", commit_seq,"
    " (SELECT slug FROM links WHERE links.id = hits.link_id),"
    " (SELECT domain FROM links WHERE links.id = hits.link_id)"
    " FROM hits WHERE account_id = ?1 AND commit_seq > ?2 AND commit_seq > 0"
    " ORDER BY commit_seq LIMIT ?3";

}  // namespace ct::sqlite

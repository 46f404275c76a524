// PostgresStore: browser sessions (store/store.h), with the SQLite store's sliding idle expiry
// (store/sqlite/sessions.cc): last_seen_at is written at most every kSessionTouchIntervalUs per
// session, and only ever moves forward (several API processes, each with its own clock, may
// touch one session).
#include <utility>

#include "store/postgres/pg_user_rows.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

// Expired sessions swept per sign-in: a bounded statement, and SKIP LOCKED so two sign-ins
// never wait on (or deadlock over) each other's sweep. What is left goes at the next sign-in;
// FindSession checks the expiry itself, so a row not swept yet is never used.
constexpr int64_t kSweepLimit = 1000;

}  // namespace

Status PostgresStore::CreateSession(const NewSession& session, int64_t idle_ttl_us) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  const int64_t now = clock_->NowMicros();
  Result<PgResult> sweep = db->Exec(R"sql(
    DELETE FROM sessions WHERE id IN (
      SELECT id FROM sessions WHERE last_seen_at <= $1::int8
      LIMIT $2::int8 FOR UPDATE SKIP LOCKED))sql",
                                    Params().Int(now - idle_ttl_us).Int(kSweepLimit));
  if (!sweep.ok()) return sweep.status();
  Result<PgResult> r = db->Exec(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) "
      "VALUES ($1, $2::int8, $3, $4::int8, $4::int8)",
      Params().Text(session.token_hash).Int(session.user_id).Text(session.csrf_token).Int(now));
  if (!r.ok()) return r.status();
  return db->Run("COMMIT");
}

Result<std::optional<SessionInfo>> PostgresStore::FindSession(const std::string& token_hash,
                                                              int64_t idle_ttl_us) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  const int64_t now = clock_->NowMicros();
  Result<PgResult> r =
      db->Exec("SELECT s.csrf_token, s.created_at, s.last_seen_at, " CT_PG_USER_COLUMNS
               " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
               Params().Text(token_hash));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<SessionInfo>();
  SessionInfo info;
  info.csrf_token = r->Str(0, 0);
  info.created_at_us = r->Int(0, 1);
  const int64_t last_seen = r->Int(0, 2);
  info.user = pg::ReadUserRow(*r, 0, 3);
  if (now - last_seen >= idle_ttl_us) {
    // Only if still idle: another API process may have just slid it forward.
    Result<PgResult> del =
        db->Exec("DELETE FROM sessions WHERE token_hash = $1 AND last_seen_at <= $2::int8",
                 Params().Text(token_hash).Int(last_seen));
    if (!del.ok()) return del.status();
    return std::optional<SessionInfo>();
  }
  if (now - last_seen >= kSessionTouchIntervalUs) {
    Result<PgResult> touch = db->Exec(
        "UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1::int8) WHERE token_hash = $2",
        Params().Int(now).Text(token_hash));
    if (!touch.ok()) return touch.status();
    info.touched = true;
  }
  return std::optional<SessionInfo>(std::move(info));
}

Status PostgresStore::DeleteSession(const std::string& token_hash) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return (*c)
      ->Exec("DELETE FROM sessions WHERE token_hash = $1", Params().Text(token_hash))
      .status();
}

}  // namespace ct

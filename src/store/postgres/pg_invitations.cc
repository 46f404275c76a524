// PostgresStore: invitations to an account (store/store.h), as the SQLite store keeps them
// (store/sqlite/invitations.cc). Accepting one locks the invitation's row, creates the user and
// marks the invitation used in one transaction: of two requests racing with one token (on two
// API processes), the second waits for the first and then finds it used.
#include <utility>

#include "store/postgres/pg_user_rows.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;

namespace {

#define CT_PG_INVITATION_COLUMNS "id, account_id, email, role, created_at, expires_at"

InvitationRow ReadInvitationRow(const PgResult& r, int i) {
  InvitationRow row;
  row.id = r.Int(i, 0);
  row.account_id = r.Int(i, 1);
  row.email = r.Str(i, 2);
  row.role = r.Str(i, 3);
  row.created_at_us = r.Int(i, 4);
  row.expires_at_us = r.Int(i, 5);
  return row;
}

}  // namespace

Result<InvitationRow> PostgresStore::CreateInvitation(const NewInvitation& invitation) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  const int64_t now = clock_->NowMicros();
  Result<PgResult> r = (*c)->Exec(
      "INSERT INTO invitations (account_id, email, role, token_hash, created_at, expires_at) "
      "VALUES ($1::int8, $2, $3, $4, $5::int8, $6::int8) RETURNING id",
      Params()
          .Int(invitation.account_id)
          .Text(invitation.email)
          .Text(invitation.role)
          .Text(invitation.token_hash)
          .Int(now)
          .Int(invitation.expires_at_us));
  if (!r.ok()) return r.status();
  InvitationRow row;
  row.id = r->Int(0, 0);
  row.account_id = invitation.account_id;
  row.email = invitation.email;
  row.role = invitation.role;
  row.created_at_us = now;
  row.expires_at_us = invitation.expires_at_us;
  return row;
}

Result<std::vector<InvitationRow>> PostgresStore::ListInvitations(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT " CT_PG_INVITATION_COLUMNS
                                  " FROM invitations WHERE account_id = $1::int8 AND "
                                  "accepted_at IS NULL ORDER BY id",
                                  Params().Int(account_id));
  if (!r.ok()) return r.status();
  std::vector<InvitationRow> out;
  out.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) out.push_back(ReadInvitationRow(*r, i));
  return out;
}

Result<bool> PostgresStore::DeleteInvitation(int64_t account_id, int64_t invitation_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec(
      "DELETE FROM invitations WHERE id = $1::int8 AND account_id = $2::int8 "
      "AND accepted_at IS NULL",
      Params().Int(invitation_id).Int(account_id));
  if (!r.ok()) return r.status();
  return r->affected() > 0;
}

Result<UserRow> PostgresStore::AcceptInvitation(const std::string& token_hash,
                                                const std::string& password_hash) {
  // Returning before COMMIT leaves the transaction to the lease, which rolls it back.
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  const int64_t now = clock_->NowMicros();
  // FOR UPDATE: a racing accept waits here, then reads the row as the winner left it.
  Result<PgResult> r = db->Exec("SELECT " CT_PG_INVITATION_COLUMNS
                                ", accepted_at IS NOT NULL FROM invitations "
                                "WHERE token_hash = $1 FOR UPDATE",
                                Params().Text(token_hash));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Status::NotFound("no such invitation");
  const InvitationRow inv = ReadInvitationRow(*r, 0);
  if (r->Bool(0, 6)) return Status::FailedPrecondition("invitation already used");
  if (inv.expires_at_us <= now) return Status::FailedPrecondition("invitation expired");
  Result<UserRow> user =
      pg::InsertUser(db, {inv.account_id, inv.email, inv.role, password_hash}, now);
  if (!user.ok()) return user.status();
  Result<PgResult> used =
      db->Exec("UPDATE invitations SET accepted_at = $1::int8 WHERE id = $2::int8",
               Params().Int(now).Int(inv.id));
  if (!used.ok()) return used.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return user;
}

}  // namespace ct

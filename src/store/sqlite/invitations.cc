// SqliteStore: invitations to an account (store/store.h). Accepting one creates the user and
// marks the invitation used in one write transaction, so a token works once.
#include <utility>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

#define CT_INVITATION_COLUMNS "id, account_id, email, role, created_at, expires_at"

InvitationRow ReadInvitationRow(const Statement& s) {
  InvitationRow r;
  r.id = s.ColumnInt(0);
  r.account_id = s.ColumnInt(1);
  r.email = s.ColumnText(2);
  r.role = s.ColumnText(3);
  r.created_at_us = s.ColumnInt(4);
  r.expires_at_us = s.ColumnInt(5);
  return r;
}

}  // namespace

Result<InvitationRow> SqliteStore::CreateInvitation(const NewInvitation& invitation) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  const int64_t now = clock_->NowMicros();
  Result<Statement> s = db->Prepare(
      "INSERT INTO invitations (account_id, email, role, token_hash, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(
      invitation.account_id, std::string_view(invitation.email), std::string_view(invitation.role),
      std::string_view(invitation.token_hash), now, invitation.expires_at_us));
  CT_RETURN_IF_ERROR(s->Run());
  InvitationRow r;
  r.id = db->LastInsertRowId();
  r.account_id = invitation.account_id;
  r.email = invitation.email;
  r.role = invitation.role;
  r.created_at_us = now;
  r.expires_at_us = invitation.expires_at_us;
  return r;
}

Result<std::vector<InvitationRow>> SqliteStore::ListInvitations(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare("SELECT " CT_INVITATION_COLUMNS
                                            " FROM invitations WHERE account_id = ? AND "
                                            "accepted_at IS NULL ORDER BY id");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  std::vector<InvitationRow> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadInvitationRow(*s));
  }
  return out;
}

Result<bool> SqliteStore::DeleteInvitation(int64_t account_id, int64_t invitation_id) {
  std::lock_guard lock(write_mu_);
  Result<Statement> s = writer_->Prepare(
      "DELETE FROM invitations WHERE id = ? AND account_id = ? AND accepted_at IS NULL");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(invitation_id, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  return s->Changes() > 0;
}

Result<UserRow> SqliteStore::AcceptInvitation(const std::string& token_hash,
                                              const std::string& password_hash) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  const int64_t now = clock_->NowMicros();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  InvitationRow inv;
  {
    Result<Statement> s = db->Prepare("SELECT " CT_INVITATION_COLUMNS
                                      ", accepted_at IS NOT NULL FROM invitations "
                                      "WHERE token_hash = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(token_hash)));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no such invitation");
    inv = ReadInvitationRow(*s);
    if (s->ColumnInt(6) != 0) return Status::FailedPrecondition("invitation already used");
    if (inv.expires_at_us <= now) return Status::FailedPrecondition("invitation expired");
  }
  Result<UserRow> user = InsertUser({inv.account_id, inv.email, inv.role, password_hash}, now);
  if (!user.ok()) return user.status();
  Result<Statement> s = db->Prepare("UPDATE invitations SET accepted_at = ? WHERE id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(now, inv.id));
  CT_RETURN_IF_ERROR(s->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return user;
}

}  // namespace ct

// PgConn: one libpq connection, driven through the async API under our own deadline, so a
// server that stops answering (SIGSTOP, dropped packets: the kernel keeps the socket looking
// alive, and statement_timeout is enforced by the very server that is stuck) fails the call
// with kDeadlineExceeded instead of hanging it. A connection that missed a deadline or lost its
// socket is marked broken and never used again (the pool rebuilds it).
//
// Parameters and results travel as text; SQL casts them ($1::int8, $2::bytea[]). Statements run
// by Exec are prepared once per connection (named by their text), so a hot statement is parsed
// and planned once.
//
// Thread safety: none; one thread at a time (the pool hands a connection to one caller).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace ct::pg {

// How connections are opened (postgres_store.h PostgresOptions carries the same numbers).
struct ConnectSpec {
  std::string url;  // libpq conninfo or URI
  int connect_timeout_s = 5;
  int statement_timeout_ms = 10000;
  int tcp_user_timeout_ms = 10000;
  // Added to statement_timeout for the client-side deadline: the server's own timeout reports
  // first when the server is alive; ours fires only when it is not.
  int client_grace_ms = 2000;
};

// A result set: every value as text ("" for NULL; IsNull tells them apart).
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view Text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string Str(int row, int col) const { return std::string(Text(row, col)); }
  int64_t Int(int row, int col) const;  // 0 for NULL
  bool Bool(int row, int col) const { return Text(row, col) == "t"; }
  std::string Bytes(int row, int col) const;  // a bytea column, decoded from \x hex
  int64_t affected() const;                   // rows changed by an INSERT/UPDATE/DELETE

 private:
  std::shared_ptr<PGresult> r_;
};

// Positional parameters ($1, $2...) as text; nullopt is SQL NULL.
class Params {
 public:
  Params& Int(int64_t v) {
    v_.push_back(std::to_string(v));
    return *this;
  }
  Params& Text(std::string_view v);  // invalid UTF-8 and NUL become U+FFFD (see SanitizeText)
  Params& Bytes(std::string_view bytes);
  Params& Bool(bool v) {
    v_.push_back(v ? "t" : "f");
    return *this;
  }
  Params& Null() {
    v_.push_back(std::nullopt);
    return *this;
  }
  Params& Raw(std::string v) {  // already in PostgreSQL's text form (an array literal)
    v_.push_back(std::move(v));
    return *this;
  }
  const std::vector<std::optional<std::string>>& values() const { return v_; }

 private:
  std::vector<std::optional<std::string>> v_;
};

class PgConn {
 public:
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Opens a connection with tcp_user_timeout, keepalives, connect_timeout and statement_timeout
  // set on it. kUnavailable when the server cannot be reached in connect_timeout.
  [[nodiscard]] static Result<std::unique_ptr<PgConn>> Connect(const ConnectSpec& spec);

  // One statement with parameters, prepared on first use on this connection.
  [[nodiscard]] Result<PgResult> Exec(const std::string& sql, const Params& params = {});
  // One or more statements without parameters (simple protocol; BEGIN, DDL, migrations), under
  // `timeout` (default: the statement deadline).
  [[nodiscard]] Status Run(const std::string& sql,
                           std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // After LISTEN: waits up to `timeout` for notifications and returns how many arrived (0 on
  // timeout). An idle connection has no statement deadline: a silent server only shows as no
  // notification, so a caller must not rely on this alone (the link syncer still polls).
  [[nodiscard]] Result<int> WaitNotifications(std::chrono::milliseconds timeout);

  // No further use: the socket failed or a deadline passed mid-statement.
  bool broken() const { return broken_; }
  // Inside a transaction block (or a failed one) rather than idle.
  bool in_transaction() const;
  // The SQLSTATE of the last failed statement ("" if none failed): 40001 / 40P01 mean "run the
  // transaction again".
  const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  PgConn(PGconn* conn, const ConnectSpec& spec) : conn_(conn), spec_(spec) {}
  // Sends what PQsend* queued and collects every result until libpq has none left; the last
  // non-OK result decides the status. Everything under one deadline.
  [[nodiscard]] Result<PgResult> Finish(std::chrono::steady_clock::time_point deadline,
                                        std::string_view what);
  [[nodiscard]] Status WaitSocket(bool for_write, std::chrono::steady_clock::time_point deadline,
                                  std::string_view what);
  Status Broken(Status s);
  std::chrono::steady_clock::time_point StatementDeadline() const;

  PGconn* conn_;
  ConnectSpec spec_;
  bool broken_ = false;
  std::string last_sqlstate_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// libpq and the server want valid UTF-8 without NUL in text; the edge journals headers as
// received. Invalid sequences and NUL become U+FFFD, so one odd header cannot fail a batch.
std::string SanitizeText(std::string_view s);
// "\x0a1b..." (bytea's text input/output form).
std::string ByteaHex(std::string_view bytes);

}  // namespace ct::pg

#include "store/postgres/pg_conn.h"

#include <poll.h>

#include <cstring>

namespace ct::pg {
namespace {

using Clock = std::chrono::steady_clock;

// SQLSTATE -> our codes (store.h: kUnavailable/kIoError retry later, kAlreadyExists a unique
// clash). Class 08 and admin shutdowns also break the connection.
Status FromResult(const PGresult* r, PGconn* conn, std::string_view what, bool* breaks) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg =
      std::string(what) + ": " +
      (r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const std::string code = state ? state : "";
  *breaks = code.empty() || code.starts_with("08") || code.starts_with("57P") ||
            PQstatus(conn) != CONNECTION_OK;
  if (*breaks) return Status::Unavailable(msg);
  // As the SQLite store answers (store/sqlite/error.cc): a unique clash, a missing parent row,
  // any other constraint.
  if (code == "23505") return Status::AlreadyExists(msg);
  if (code == "23503") return Status::NotFound(msg);
  if (code == "23502" || code == "23514") return Status::InvalidArgument(msg);
  if (code == "57014") return Status::DeadlineExceeded(msg);  // statement_timeout
  if (code == "40001" || code == "40P01" || code == "55P03") return Status::Unavailable(msg);
  if (code.starts_with("53")) return Status::ResourceExhausted(msg);
  return Status::IoError(msg + " [" + code + "]");
}

// Length of the valid UTF-8 sequence at s[i] (0 if invalid), RFC 3629 ranges.
size_t Utf8Len(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c >= 0x01 && c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::string SanitizeText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8Len(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string ByteaHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Params& Params::Text(std::string_view v) {
  v_.push_back(SanitizeText(v));
  return *this;
}

Params& Params::Bytes(std::string_view bytes) {
  v_.push_back(ByteaHex(bytes));
  return *this;
}

int64_t PgResult::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

std::string PgResult::Bytes(int row, int col) const {
  std::string_view t = Text(row, col);
  std::string out;
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x') return out;
  const auto nib = [](char c) -> int { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  out.reserve((t.size() - 2) / 2);
  for (size_t i = 2; i + 1 < t.size(); i += 2) {
    out += static_cast<char>(nib(t[i]) << 4 | nib(t[i + 1]));
  }
  return out;
}

int64_t PgResult::affected() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const ConnectSpec& spec) {
  const std::string connect_timeout = std::to_string(spec.connect_timeout_s);
  const std::string tcp_user_timeout = std::to_string(spec.tcp_user_timeout_ms);
  const std::string options = "-c statement_timeout=" + std::to_string(spec.statement_timeout_ms);
  // The url first (expand_dbname), then ours, which override whatever it says about them.
  const char* keys[] = {"dbname",           "connect_timeout",
                        "tcp_user_timeout", "keepalives",
                        "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "options",
                        "application_name", nullptr};
  const char* values[] = {spec.url.c_str(),
                          connect_timeout.c_str(),
                          tcp_user_timeout.c_str(),
                          "1",
                          "5",
                          "2",
                          "3",
                          options.c_str(),
                          "clicktrail",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::ResourceExhausted("postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return Status::Unavailable("postgres connect: " + msg);
  }
  // Non-blocking sends: a large batch to a stuck server must not block in send(2) past our
  // deadline.
  if (PQsetnonblocking(conn, 1) != 0) {
    PQfinish(conn);
    return Status::Internal("postgres: cannot set non-blocking mode");
  }
  return std::unique_ptr<PgConn>(new PgConn(conn, spec));
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::in_transaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t != PQTRANS_IDLE;
}

Clock::time_point PgConn::StatementDeadline() const {
  return Clock::now() +
         std::chrono::milliseconds(spec_.statement_timeout_ms + spec_.client_grace_ms);
}

Status PgConn::Broken(Status s) {
  broken_ = true;
  return s;
}

Status PgConn::WaitSocket(bool for_write, Clock::time_point deadline, std::string_view what) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) {
    return Broken(Status::DeadlineExceeded(
        std::string(what) + ": postgres did not answer in " +
        std::to_string(spec_.statement_timeout_ms + spec_.client_grace_ms) + " ms"));
  }
  pollfd p{PQsocket(conn_), static_cast<short>(POLLIN | (for_write ? POLLOUT : 0)), 0};
  int r = poll(&p, 1, static_cast<int>(left.count()));
  if (r < 0 && errno != EINTR) return Broken(Status::FromErrno("poll postgres socket", errno));
  return Status::Ok();
}

Result<PgResult> PgConn::Finish(Clock::time_point deadline, std::string_view what) {
  // Flush the query out (it may not fit the socket buffer at once).
  for (;;) {
    int f = PQflush(conn_);
    if (f == 0) break;
    if (f < 0) return Broken(Status::Unavailable(std::string(what) + ": " + PQerrorMessage(conn_)));
    CT_RETURN_IF_ERROR(WaitSocket(/*for_write=*/true, deadline, what));
    if (PQconsumeInput(conn_) == 0) {
      return Broken(Status::Unavailable(std::string(what) + ": " + PQerrorMessage(conn_)));
    }
  }
  PgResult last;
  Status error;
  for (;;) {
    while (PQisBusy(conn_)) {
      CT_RETURN_IF_ERROR(WaitSocket(/*for_write=*/false, deadline, what));
      if (PQconsumeInput(conn_) == 0) {
        return Broken(Status::Unavailable(std::string(what) + ": " + PQerrorMessage(conn_)));
      }
    }
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) break;
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
      last = PgResult(r);
    } else {
      bool breaks = false;
      error = FromResult(r, conn_, what, &breaks);
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      last_sqlstate_ = state ? state : "";
      PQclear(r);
      if (breaks) broken_ = true;
    }
  }
  if (!error.ok()) return error;
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Broken(Status::Unavailable(std::string(what) + ": " + PQerrorMessage(conn_)));
  }
  return last;
}

Result<PgResult> PgConn::Exec(const std::string& sql, const Params& params) {
  if (broken_) return Status::Unavailable("postgres connection is broken");
  const auto deadline = StatementDeadline();
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size() + 1);
    if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) == 0) {
      return Broken(Status::Unavailable(std::string("prepare: ") + PQerrorMessage(conn_)));
    }
    Result<PgResult> prep = Finish(deadline, "prepare");
    if (!prep.ok()) return prep.status().Annotate(sql.substr(0, 60));
    it = prepared_.emplace(sql, name).first;
  }
  const auto& v = params.values();
  std::vector<const char*> values(v.size());
  for (size_t i = 0; i < v.size(); ++i) values[i] = v[i] ? v[i]->c_str() : nullptr;
  if (PQsendQueryPrepared(conn_, it->second.c_str(), static_cast<int>(v.size()), values.data(),
                          nullptr, nullptr, 0) == 0) {
    return Broken(Status::Unavailable(std::string("send: ") + PQerrorMessage(conn_)));
  }
  return Finish(deadline, "postgres");
}

Status PgConn::Run(const std::string& sql, std::optional<std::chrono::milliseconds> timeout) {
  if (broken_) return Status::Unavailable("postgres connection is broken");
  const auto deadline = timeout ? Clock::now() + *timeout : StatementDeadline();
  if (PQsendQuery(conn_, sql.c_str()) == 0) {
    return Broken(Status::Unavailable(std::string("send: ") + PQerrorMessage(conn_)));
  }
  return Finish(deadline, "postgres").status();
}

Result<int> PgConn::WaitNotifications(std::chrono::milliseconds timeout) {
  if (broken_) return Status::Unavailable("postgres connection is broken");
  auto drain = [this] {
    int n = 0;
    while (PGnotify* note = PQnotifies(conn_)) {
      PQfreemem(note);
      ++n;
    }
    return n;
  };
  // Notifications may already be buffered (they arrive along with any statement's results).
  if (int n = drain(); n > 0) return n;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  int r = poll(&p, 1, static_cast<int>(timeout.count()));
  if (r < 0 && errno != EINTR) return Broken(Status::FromErrno("poll postgres socket", errno));
  if (r <= 0) return 0;
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    return Broken(Status::Unavailable(std::string("postgres: ") + PQerrorMessage(conn_)));
  }
  return drain();
}

}  // namespace ct::pg

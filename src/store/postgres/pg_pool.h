// PgPool: at most `size` connections, opened on demand and handed to one caller at a time.
// A connection comes back through its Lease: a broken one (missed deadline, lost socket) is
// closed, and one left inside a transaction is rolled back first (closed if even that fails),
// so the next caller always gets a clean, idle session; a fresh one replaces it on demand. That
// is how the store recovers from a restarted, killed or paused server: no reconnect loop, the
// next call simply dials again.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"

namespace ct::pg {

class PgPool;

class Lease {
 public:
  Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&& o) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  PgConn* operator->() const { return conn_.get(); }
  PgConn* get() const { return conn_.get(); }

 private:
  PgPool* pool_;
  std::unique_ptr<PgConn> conn_;
};

class PgPool {
 public:
  PgPool(ConnectSpec spec, int size) : spec_(std::move(spec)), size_(size < 1 ? 1 : size) {}

  // An idle connection, a new one if the pool is not full, else waits for one to come back
  // (up to connect_timeout). kUnavailable when the server cannot be reached.
  [[nodiscard]] Result<Lease> Acquire();
  // Acquire(), then `begin` (BEGIN, or BEGIN with an isolation level) on it: the lease holds an
  // open transaction, which it rolls back if the caller returns before COMMIT.
  [[nodiscard]] Result<Lease> Begin(std::string_view begin = "BEGIN");

  const ConnectSpec& spec() const { return spec_; }
  // Connections opened so far (tests: a rebuild after a crash opens new ones).
  int64_t opened() const;

 private:
  friend class Lease;
  void Release(std::unique_ptr<PgConn> conn);

  const ConnectSpec spec_;
  const int size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int out_ = 0;  // handed out or being opened
  int64_t opened_ = 0;
};

}  // namespace ct::pg

#include "store/postgres/pg_pool.h"

namespace ct::pg {

Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

Result<Lease> PgPool::Begin(std::string_view begin) {
  Result<Lease> lease = Acquire();
  if (!lease.ok()) return lease;
  CT_RETURN_IF_ERROR((*lease)->Run(std::string(begin)));
  return lease;
}

Result<Lease> PgPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(spec_.connect_timeout_s);
    while (idle_.empty() && out_ >= size_) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          out_ >= size_) {
        return Status::Unavailable("postgres pool: all " + std::to_string(size_) +
                                   " connections busy");
      }
    }
    ++out_;
    if (!idle_.empty()) {
      std::unique_ptr<PgConn> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
  }
  // Dial outside the lock: a slow connect must not hold up callers with idle connections.
  Result<std::unique_ptr<PgConn>> c = PgConn::Connect(spec_);
  std::lock_guard lock(mu_);
  if (!c.ok()) {
    --out_;
    cv_.notify_one();
    return c.status();
  }
  ++opened_;
  return Lease(this, std::move(*c));
}

void PgPool::Release(std::unique_ptr<PgConn> conn) {
  if (!conn->broken() && conn->in_transaction()) {
    // A caller returned early on an error: end its transaction here (a short deadline: the
    // statement timeout), or close the session if the server does not answer.
    if (!conn->Run("ROLLBACK").ok()) conn.reset();
  }
  if (conn && conn->broken()) conn.reset();
  std::lock_guard lock(mu_);
  --out_;
  if (conn) idle_.push_back(std::move(conn));
  cv_.notify_one();
}

int64_t PgPool::opened() const {
  std::lock_guard lock(mu_);
  return opened_;
}

}  // namespace ct::pg

#include "store/postgres/pg_change_listener.h"

#include <algorithm>

#include "common/log.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("pg_listen");
  return log;
}

constexpr std::chrono::milliseconds kWaitSlice{1000};  // how often Stop() is noticed
constexpr std::chrono::milliseconds kRetryMin{1000};
constexpr std::chrono::milliseconds kRetryMax{30000};

}  // namespace

PgChangeListener::PgChangeListener(const PostgresOptions& options, std::function<void()> on_change,
                                   MetricsRegistry* metrics)
    : spec_(ConnectSpecOf(options)),
      on_change_(std::move(on_change)),
      notifications_(metrics->AddCounter("clicktrail_edge_link_notifications_total",
                                         "Link-change notifications received from PostgreSQL.")),
      connected_(metrics->AddGauge("clicktrail_edge_link_listener_connected",
                                   "1 while the LISTEN connection for link changes is open.")) {}

PgChangeListener::~PgChangeListener() { Stop(); }

void PgChangeListener::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void PgChangeListener::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool PgChangeListener::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void PgChangeListener::Run() {
  auto retry = kRetryMin;
  while (SleepFor(std::chrono::milliseconds(0))) {
    Result<std::unique_ptr<pg::PgConn>> conn = pg::PgConn::Connect(spec_);
    Status s = conn.ok() ? (*conn)->Run("LISTEN ct_link_changes") : conn.status();
    if (!s.ok()) {
      Log().Warn("cannot listen for link changes (polling meanwhile): {}", s.ToString());
      if (!SleepFor(retry)) return;
      retry = std::min(retry * 2, kRetryMax);
      continue;
    }
    retry = kRetryMin;
    connected_->Set(1);
    on_change_();  // whatever changed while we were not listening
    for (;;) {
      Result<int> n = (*conn)->WaitNotifications(kWaitSlice);
      if (!n.ok()) {
        Log().Warn("link-change listener lost its connection: {}", n.status().ToString());
        break;
      }
      if (*n > 0) {
        notifications_->Inc(static_cast<uint64_t>(*n));
        on_change_();
      }
      if (!SleepFor(std::chrono::milliseconds(0))) {
        connected_->Set(0);
        return;
      }
    }
    connected_->Set(0);
  }
}

}  // namespace ct

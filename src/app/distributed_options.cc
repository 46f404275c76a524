#include "app/distributed_options.h"

#include "common/tally.h"

namespace ct::app {

Result<PostgresOptions> PostgresOptionsFrom(const Config& cfg) {
  PostgresOptions o;
  o.url = cfg.Str("postgres.url");
  if (o.url.empty()) {
    return Status::InvalidArgument(
        "config key 'postgres.url' is required in distributed mode (e.g. "
        "postgresql://clicktrail@db.internal:5432/clicktrail)");
  }
  o.pool_size = static_cast<int>(cfg.Int("postgres.pool_size"));
  o.statement_timeout_ms = static_cast<int>(cfg.Int("postgres.statement_timeout_ms"));
  o.tcp_user_timeout_ms = static_cast<int>(cfg.Int("postgres.tcp_user_timeout_ms"));
  o.connect_timeout_s = static_cast<int>(cfg.Int("postgres.connect_timeout_s"));
  return o;
}

Result<NatsOptions> NatsOptionsFrom(const Config& cfg) {
  NatsOptions o;
  o.servers = SplitServers(cfg.Str("nats.servers"));
  if (o.servers.empty()) {
    return Status::InvalidArgument(
        "config key 'nats.servers' is required in distributed mode (e.g. "
        "nats://n1:4222,nats://n2:4222,nats://n3:4222)");
  }
  for (const std::string& s : o.servers) {
    if (s.rfind("nats://", 0) != 0 && s.rfind("tls://", 0) != 0) {
      return Status::InvalidArgument("config key 'nats.servers': '" + s.substr(0, 80) +
                                     "' is not nats://host:port");
    }
  }
  o.stream = cfg.Str("nats.stream");
  if (o.stream.empty()) return Status::InvalidArgument("config key 'nats.stream' is empty");
  o.replicas = static_cast<int>(cfg.Int("nats.replicas"));
  o.duplicate_window = std::chrono::seconds(cfg.Int("nats.duplicate_window_s"));
  return o;
}

Result<std::string> RequiredEdgeId(const Config& cfg) {
  const std::string& id = cfg.Str("edge.id");
  if (id.empty()) {
    return Status::InvalidArgument(
        "config key 'edge.id' is required in distributed mode: a stable name unique to this "
        "edge (1-64 of A-Z a-z 0-9 . _ -)");
  }
  if (!ValidEdgeId(id)) {
    return Status::InvalidArgument("config key 'edge.id': '" + id.substr(0, 80) +
                                   "' is not 1-64 of A-Z a-z 0-9 . _ -");
  }
  return id;
}

}  // namespace ct::app

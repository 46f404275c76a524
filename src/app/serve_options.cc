#include "app/serve_options.h"

#include <unistd.h>

#include <cstdlib>

#include "api/destination.h"
#include "common/tally.h"
#include "common/time_format.h"

namespace ct::app {
namespace {

// postbacks.allowed_ports: "80,443" -> {80, 443}; "*" -> {} (any port).
Result<std::vector<uint16_t>> ParsePorts(const std::string& list) {
  std::vector<uint16_t> ports;
  if (list == "*") return ports;
  for (const std::string& item : SplitList(list)) {
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (*end != '\0' || v < 1 || v > 65535) {
      return Status::InvalidArgument("config key 'postbacks.allowed_ports': '" + item +
                                     "' is not a port (1-65535) or \"*\"");
    }
    ports.push_back(static_cast<uint16_t>(v));
  }
  if (ports.empty()) {
    return Status::InvalidArgument(
        "config key 'postbacks.allowed_ports' is empty; use \"*\" for any port");
  }
  return ports;
}

}  // namespace

// edge.default_hosts: the listed hosts, or (empty) the host of public_url plus the loopback
// names.
std::vector<std::string> DefaultHosts(const std::string& list, const std::string& public_url) {
  std::vector<std::string> hosts = SplitList(list);
  if (hosts.empty()) {
    hosts = {"localhost", "127.0.0.1", "::1"};
    if (std::string h = edge::HostOfUrl(public_url); !h.empty()) hosts.push_back(h);
  }
  return hosts;
}

edge::Durability ParseDurability(const std::string& s) {
  if (s == "strict") return edge::Durability::kStrict;
  if (s == "none") return edge::Durability::kNone;
  return edge::Durability::kGroupCommit;
}

// The alarms of /api/v1/status: every rule that is not ok, with its state and value.
boost::json::array AlarmsJson(const std::vector<AlarmStatus>& snapshot) {
  boost::json::array out;
  for (const auto& a : snapshot) {
    if (a.state == AlarmState::kOk) continue;
    boost::json::object o;
    o["name"] = a.name;
    o["summary"] = a.summary;
    o["state"] = std::string(AlarmStateName(a.state));
    if (a.value) o["value"] = *a.value;
    o["since"] = FormatIso8601(a.since_us);
    if (a.last_sent_us > 0) o["last_sent"] = FormatIso8601(a.last_sent_us);
    if (!a.last_error.empty()) o["last_error"] = a.last_error;
    out.push_back(std::move(o));
  }
  return out;
}

// The postback settings of the config: the SSRF policy (shared with the API, which checks
// templates when they are saved) and the notifier's options. exit 2 on a bad value.
Result<notify::NotifierOptions> NotifierOptionsFrom(const Config& cfg,
                                                    const std::vector<std::string>& own_hosts) {
  notify::NotifierOptions o;
  auto allow = postback::CidrList::Parse(cfg.Str("postbacks.allow_addresses"));
  if (!allow.ok()) {
    return Status::InvalidArgument("config key 'postbacks.allow_addresses': " +
                                   allow.status().message());
  }
  o.ssrf.allow = std::move(*allow);
  auto ports = ParsePorts(cfg.Str("postbacks.allowed_ports"));
  if (!ports.ok()) return ports.status();
  o.ssrf.allowed_ports = std::move(*ports);
  o.ssrf.own_hosts = own_hosts;
  auto schedule = notify::ParseRetrySchedule(cfg.Str("postbacks.retry_schedule"));
  if (!schedule.ok()) {
    return Status::InvalidArgument("config key 'postbacks.retry_schedule': " +
                                   schedule.status().message());
  }
  o.retry_schedule = std::move(*schedule);
  o.jitter = static_cast<double>(cfg.Int("postbacks.jitter_percent")) / 100.0;
  o.total_timeout = std::chrono::milliseconds(cfg.Int("postbacks.timeout_ms"));
  o.connect_timeout = std::chrono::milliseconds(cfg.Int("postbacks.connect_timeout_ms"));
  o.max_in_flight = static_cast<int>(cfg.Int("postbacks.max_in_flight"));
  o.per_endpoint = static_cast<int>(cfg.Int("postbacks.per_endpoint"));
  o.per_account = static_cast<int>(cfg.Int("postbacks.per_account"));
  // A lease outlives any attempt, so a row is never sent twice at once.
  o.lease =
      std::chrono::duration_cast<std::chrono::seconds>(o.total_timeout) + std::chrono::seconds(60);
  return o;
}

// edge.id, else the host name, else "local" (common/tally.h ValidEdgeId).
Result<std::string> EdgeId(const Config& cfg) {
  const std::string& id = cfg.Str("edge.id");
  if (!id.empty()) {
    if (!ValidEdgeId(id)) {
      return Status::InvalidArgument("config key 'edge.id': '" + id.substr(0, 80) +
                                     "' is not 1-64 of A-Z a-z 0-9 . _ -");
    }
    return id;
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0 && ValidEdgeId(host)) return std::string(host);
  return std::string("local");
}

// api.operator_accounts: "1,7" -> {1, 7}.
Result<std::vector<int64_t>> ParseAccountIds(const std::string& list) {
  std::vector<int64_t> ids;
  for (const std::string& item : SplitList(list)) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (*end != '\0' || v < 1) {
      return Status::InvalidArgument("config key 'api.operator_accounts': '" + item +
                                     "' is not an account id");
    }
    ids.push_back(v);
  }
  return ids;
}

// A counter of the registry as an integer (0 while it is not registered).
uint64_t CounterValue(const MetricsRegistry& metrics, const std::string& name) {
  const double v = metrics.Value(name);
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

edge::EdgeOptions EdgeOptionsFrom(const Config& cfg) {
  auto [host, port] = cfg.HostPort("listen");
  edge::EdgeOptions eopts;
  eopts.host = host;
  eopts.port = port;
  eopts.threads = static_cast<int>(cfg.Int("edge.threads"));
  eopts.durability = ParseDurability(cfg.Str("journal.durability"));
  eopts.header_timeout = std::chrono::seconds(cfg.Int("edge.header_timeout_s"));
  eopts.idle_timeout = std::chrono::seconds(cfg.Int("edge.idle_timeout_s"));
  eopts.api_threads = static_cast<int>(cfg.Int("api.threads"));
  eopts.max_connections = static_cast<size_t>(cfg.Int("edge.max_connections"));
  eopts.default_hosts = DefaultHosts(cfg.Str("edge.default_hosts"), cfg.Str("public_url"));
  eopts.trusted_proxies = cfg.Str("edge.trusted_proxies");
  eopts.visitor_cookie = cfg.Bool("tracking.visitor_cookie");
  eopts.password_attempts_per_second = cfg.Int("edge.password_attempts_per_second");
  eopts.password_attempts_burst = cfg.Int("edge.password_attempts_burst");
  eopts.anonymize_ip = cfg.Bool("tracking.anonymize_ip");
  eopts.click_cookie = cfg.Bool("tracking.click_cookie");
  eopts.click_cookie_days = cfg.Int("tracking.click_cookie_days");
  return eopts;
}

api::ApiOptions ApiOptionsFrom(const Config& cfg, const postback::SsrfPolicy& ssrf,
                               std::vector<int64_t> operator_accounts) {
  api::ApiOptions o;
  o.public_url = cfg.Str("public_url");
  o.rate_per_second = cfg.Int("api.rate_per_second");
  o.rate_burst = cfg.Int("api.rate_burst");
  o.secure_cookie = cfg.Bool("ui.secure_cookie");
  o.session_ttl_hours = cfg.Int("ui.session_ttl_hours");
  o.max_streams = cfg.Int("api.max_streams");
  o.blocked_hosts = api::ParseBlockedHosts(cfg.Str("links.blocked_hosts"));
  o.ssrf = ssrf;
  o.strict_durability = cfg.Str("journal.durability") == "strict";
  o.operator_accounts = std::move(operator_accounts);
  return o;
}

void ConnectApiToLinks(edge::LinkTable* links, edge::LinkSyncer* syncer, api::ApiContext* ctx) {
  ctx->ready = [links] { return links->loaded(); };
  // If this poll fails, the syncer's own next poll catches up.
  ctx->links_changed = [syncer] {
    if (!syncer->PollOnce().ok()) syncer->SyncNow();
  };
  ctx->find_goal_by_id = [links](int64_t id) -> std::optional<GoalRow> {
    auto current = links->Current();
    const GoalRow* g = current->FindGoalById(id);
    return g ? std::optional<GoalRow>(*g) : std::nullopt;
  };
  ctx->find_goal_by_key = [links](std::string_view key) -> std::optional<GoalRow> {
    auto current = links->Current();
    const GoalRow* g = current->FindGoal(key);
    return g ? std::optional<GoalRow>(*g) : std::nullopt;
  };
}

std::string BoundPublicUrl(std::string public_url, const std::string& host, uint16_t port) {
  if (public_url.empty()) public_url = "http://" + host + ":" + std::to_string(port);
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  return public_url;
}

}  // namespace ct::app

// What the API handlers share: the store, options and hooks into the rest of the process.
#pragma once

#include <boost/json/array.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/event.h"
#include "journal/event_sink.h"
#include "monitor/completeness.h"
#include "monitor/health.h"
#include "monitor/metrics.h"
#include "postback/ssrf.h"
#include "store/store.h"

namespace ct::api {

struct ApiOptions {
  std::string public_url;        // base of short URLs, e.g. "http://127.0.0.1:8080" (no trailing /)
  int64_t rate_per_second = 50;  // per API key, on average; 0 = unlimited
  int64_t rate_burst = 100;      // per API key, at once
  // links.blocked_hosts: destinations on these hosts (or their subdomains) are refused. Lower
  // case, no trailing dot (api/destination.h ParseBlockedHosts).
  std::vector<std::string> blocked_hosts;
  // Postback and piggyback targets are checked against this when saved (postbacks.* keys).
  postback::SsrfPolicy ssrf;
  // journal.durability is strict: a server-to-server conversion is answered only once its
  // record is fsynced (EventSink::WhenDurable), as the edge does for clicks.
  bool strict_durability = false;
  // api.operator_accounts: accounts whose keys may read system-wide operator data
  // (GET /api/v1/reconciliation).
  std::vector<int64_t> operator_accounts = {1};
  // ui.secure_cookie: the session cookie carries Secure (browsers accept it on
  // http://localhost and 127.0.0.1 too); off only for plain HTTP on another host.
  bool secure_cookie = true;
  // ui.session_ttl_hours: a session unused this long is gone (the expiry slides with use).
  int64_t session_ttl_hours = 168;
  // api.max_streams: live click streams (GET /api/v1/live) open at once; 503 beyond.
  int64_t max_streams = 100;
};

struct ApiContext {
  ApiOptions options;
  Store* store = nullptr;              // not owned; thread-safe
  MetricsRegistry* metrics = nullptr;  // not owned; rendered at /metrics
  Clock* clock = nullptr;
  std::function<bool()> ready;          // /readyz: can the edge serve redirects?
  std::function<void()> links_changed;  // wakes the edge's link syncer after a change
  // GET /api/v1/status: each stage's health, and the alarms firing now (a JSON array of the
  // alarm engine's objects). Either may be empty: no stages, and [] alarms. Called on API
  // worker threads; must be thread-safe and must not wait on the store.
  std::function<std::vector<StageHealth>()> status;
  std::function<boost::json::array()> alarms;
  // POST /api/v1/conversions journals its event here, like the edge's clicks, and answers
  // without waiting on the store. Null: conversions answer 503.
  EventSink* events = nullptr;
  EventIdGenerator* event_ids = nullptr;
  // The edge's in-memory goals (LinkTable snapshot), so the S2S endpoint validates the goal
  // without a store round trip. Returns a copy; nullopt if no such live goal.
  std::function<std::optional<GoalRow>(int64_t goal_id)> find_goal_by_id;
  std::function<std::optional<GoalRow>(std::string_view key)> find_goal_by_key;
  // Up to which event time reports are complete (complete_until on every stats response and
  // on /status). Not owned; null: complete up to the moment of the request.
  const CompletenessSource* completeness = nullptr;
};

}  // namespace ct::api

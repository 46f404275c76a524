// Configuration read the same way by `clicktrail serve` and the distributed roles
// (role_command.cc): each turns config values into the options of one component, or an
// InvalidArgument naming the key (the command exits 2 with it).
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "api/api_context.h"
#include "common/status.h"
#include "config/config.h"
#include "edge/edge_server.h"
#include "edge/link_syncer.h"
#include "edge/link_table.h"
#include "monitor/alarm_engine.h"
#include "monitor/metrics.h"
#include "notify/notifier.h"

namespace ct::app {

// edge.default_hosts: the listed hosts, or (empty) the host of public_url plus the loopback
// names.
std::vector<std::string> DefaultHosts(const std::string& list, const std::string& public_url);
edge::Durability ParseDurability(const std::string& s);
// The alarms of /api/v1/status: every rule that is not ok, with its state and value.
boost::json::array AlarmsJson(const std::vector<AlarmStatus>& snapshot);
// The postback settings: the SSRF policy (shared with the API, which checks templates when they
// are saved) and the notifier's options.
Result<notify::NotifierOptions> NotifierOptionsFrom(const Config& cfg,
                                                    const std::vector<std::string>& own_hosts);
// edge.id, else the host name, else "local" (common/tally.h ValidEdgeId).
Result<std::string> EdgeId(const Config& cfg);
// api.operator_accounts: "1,7" -> {1, 7}.
Result<std::vector<int64_t>> ParseAccountIds(const std::string& list);
// The listener's options (listen, edge.*, tracking.*, journal.durability, api.threads); the
// enrichment sources (geo, user_agents) are the caller's.
edge::EdgeOptions EdgeOptionsFrom(const Config& cfg);
// The REST API's options (public_url, api.*, ui.*, links.blocked_hosts, journal.durability);
// `ssrf` is the postback policy (NotifierOptionsFrom), `operator_accounts` ParseAccountIds's.
api::ApiOptions ApiOptionsFrom(const Config& cfg, const postback::SsrfPolicy& ssrf,
                               std::vector<int64_t> operator_accounts);
// Wires the API to the edge's link table: /readyz, the syncer poll after a change (so a link
// created by a 201 redirects at once), and goal lookups for server-to-server conversions.
void ConnectApiToLinks(edge::LinkTable* links, edge::LinkSyncer* syncer, api::ApiContext* ctx);
// The public URL once the listener is bound: public_url, else http://host:port; no trailing /.
std::string BoundPublicUrl(std::string public_url, const std::string& host, uint16_t port);
// A counter of the registry as an integer (0 while it is not registered).
uint64_t CounterValue(const MetricsRegistry& metrics, const std::string& name);

}  // namespace ct::app

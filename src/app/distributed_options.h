// The distributed roles' own configuration (keys postgres.*, nats.*, edge.id): each required
// value is checked here, so a role refuses to start (exit 2, one line naming the key) rather
// than run without its store or bus.
#pragma once

#include <string>

#include "bus/nats_options.h"
#include "common/status.h"
#include "config/config.h"
#include "store/postgres/postgres_store.h"

namespace ct::app {

// postgres.url must be set.
Result<PostgresOptions> PostgresOptionsFrom(const Config& cfg);
// nats.servers must name at least one nats://host:port.
Result<NatsOptions> NatsOptionsFrom(const Config& cfg);
// edge.id must be set explicitly: it names the edge's subject and watermark on the bus, and two
// edges sharing one would read each other's watermarks.
Result<std::string> RequiredEdgeId(const Config& cfg);

}  // namespace ct::app

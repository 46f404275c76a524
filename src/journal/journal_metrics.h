// JournalMetrics: every clicktrail_journal_* metric, registered in one place. Writer, reader and
// recovery update them; registering twice (writer and reader on one registry) yields the same
// metrics. Pointers are owned by the registry.
#pragma once

#include "monitor/metrics.h"

namespace ct::journal {

struct JournalMetrics {
  explicit JournalMetrics(MetricsRegistry* r);

  Counter* appended_bytes;
  Counter* appended_records;
  Counter* fsyncs;
  Counter* fsync_errors;
  Counter* write_errors;
  Counter* rewrites;  // recoveries that rewrote unsynced bytes to a new segment
  Histogram* fsync_seconds;
  Gauge* durable_position;
  Gauge* written_position;
  Gauge* segments;
  Gauge* failed;  // 1 once the writer has fail-stopped
  Counter* torn_tail_bytes;
  Counter* corrupt_bytes;
  Counter* records_lost;
  Counter* quarantined_segments;
};

}  // namespace ct::journal

#include "journal/journal_metrics.h"

namespace ct::journal {

JournalMetrics::JournalMetrics(MetricsRegistry* r)
    : appended_bytes(r->AddCounter("clicktrail_journal_appended_bytes_total",
                                   "Bytes appended to the journal.")),
      appended_records(r->AddCounter("clicktrail_journal_appends_total",
                                     "Append calls (batches of records) accepted.")),
      fsyncs(r->AddCounter("clicktrail_journal_fsyncs_total", "Successful segment fdatasyncs.")),
      fsync_errors(r->AddCounter("clicktrail_journal_fsync_errors_total",
                                 "Failed segment fdatasyncs (the file is then abandoned).")),
      write_errors(r->AddCounter("clicktrail_journal_write_errors_total",
                                 "Failed or short writes to a segment.")),
      rewrites(r->AddCounter("clicktrail_journal_rewrites_total",
                             "Unsynced bytes rewritten to a new segment after an I/O error.")),
      fsync_seconds(r->AddHistogram("clicktrail_journal_fsync_seconds",
                                    "Latency of segment fdatasync.", LatencyBuckets())),
      durable_position(r->AddGauge("clicktrail_journal_durable_position",
                                   "Every byte before this journal position is fsynced.")),
      written_position(r->AddGauge("clicktrail_journal_written_position",
                                   "Journal position past the last appended byte.")),
      segments(r->AddGauge("clicktrail_journal_segments", "Segment files in the journal dir.")),
      failed(r->AddGauge("clicktrail_journal_failed",
                         "1 when the writer has fail-stopped after an unrecoverable I/O error.")),
      torn_tail_bytes(r->AddCounter("clicktrail_journal_torn_tail_bytes_total",
                                    "Bytes of torn tails truncated at recovery.")),
      corrupt_bytes(r->AddCounter("clicktrail_journal_corrupt_bytes_total",
                                  "Bytes skipped by resync over mid-segment corruption.")),
      records_lost(r->AddCounter("clicktrail_journal_records_lost_total",
                                 "Estimate of records lost in corrupt regions.")),
      quarantined_segments(r->AddCounter("clicktrail_journal_quarantined_segments_total",
                                         "Segments copied or moved into quarantine/.")) {}

}  // namespace ct::journal

#include "journal/check.h"

#include <fmt/format.h>

#include "journal/format.h"
#include "journal/segment_files.h"

namespace ct::journal {

Result<CheckReport> CheckJournal(const std::string& dir, FileEnv* env) {
  auto bases = ListSegments(env, dir);
  if (!bases.ok()) return bases.status();
  CheckReport report;
  for (uint64_t base : *bases) {
    SegmentCheck c;
    c.file = SegmentPath(dir, base);
    std::string bytes;
    CT_RETURN_IF_ERROR(env->ReadFileToString(c.file, &bytes));
    SegmentScan scan = ScanSegment(bytes);
    c.base = base;
    c.header_ok = scan.header_ok && scan.base == base;
    if (!c.header_ok) {
      ++report.bad_headers;
      report.segments.push_back(std::move(c));
      continue;
    }
    c.valid_records = scan.records;
    c.valid_bytes = scan.valid_bytes;
    c.end_position = base + scan.end_offset;
    c.torn_tail_bytes = scan.torn_tail_bytes;
    c.corrupt = scan.corrupt;
    c.records_lost = scan.records_lost;
    report.total_records += c.valid_records;
    report.total_bytes += c.valid_bytes;
    report.total_torn_tail_bytes += c.torn_tail_bytes;
    for (const CorruptRegion& r : c.corrupt) report.total_corrupt_bytes += r.length;
    report.total_records_lost += c.records_lost;
    report.segments.push_back(std::move(c));
  }
  return report;
}

std::string FormatCheckReport(const CheckReport& report) {
  std::string out;
  for (const SegmentCheck& c : report.segments) {
    if (!c.header_ok) {
      out += fmt::format("{}: BAD HEADER\n", c.file);
      continue;
    }
    out += fmt::format("{}: base={} records={} bytes={} end={} torn_tail={} corrupt_regions={}",
                       c.file, c.base, c.valid_records, c.valid_bytes, c.end_position,
                       c.torn_tail_bytes, c.corrupt.size());
    for (const CorruptRegion& r : c.corrupt) {
      out += fmt::format(" [offset={} length={}]", r.offset, r.length);
    }
    if (c.records_lost > 0) out += fmt::format(" records_lost~{}", c.records_lost);
    out += "\n";
  }
  out += fmt::format(
      "{}: segments={} records={} bytes={} torn_tail_bytes={} corrupt_bytes={} "
      "records_lost~{} bad_headers={}\n",
      report.clean() ? "CLEAN" : "CORRUPT", report.segments.size(), report.total_records,
      report.total_bytes, report.total_torn_tail_bytes, report.total_corrupt_bytes,
      report.total_records_lost, report.bad_headers);
  return out;
}

}  // namespace ct::journal

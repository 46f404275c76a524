#include "journal/reader.h"

#include <algorithm>

#include "common/log.h"
#include "journal/segment_files.h"
#include "journal/segment_scan.h"

namespace ct::journal {
namespace {

// Bytes read per pread: large enough for any record (a frame never needs a second read when
// it starts at the beginning of a chunk), small enough to keep the cursor's memory modest.
constexpr size_t kReadChunk = 256 * 1024;
static_assert(kReadChunk >= kRecordHeaderSize + kMaxRecordPayload);

const Logger& Log() {
  static const Logger log("journal");
  return log;
}

bool KnownType(RecordType t) { return t == RecordType::kEvent || t == RecordType::kTally; }

}  // namespace

JournalReader::JournalReader(std::string dir, FileEnv* env, MetricsRegistry* metrics)
    : dir_(std::move(dir)), env_(env), metrics_(metrics) {}

void JournalReader::Seek(uint64_t position) {
  pos_ = position;
  file_.reset();
}

Result<bool> JournalReader::OpenSegment() {
  auto bases = ListSegments(env_, dir_);
  if (!bases.ok()) return bases.status();
  // The segment holding pos_ is the last one with base <= pos_; if there is none (deleted),
  // the first one above pos_.
  auto it = std::upper_bound(bases->begin(), bases->end(), pos_);
  uint64_t base;
  if (it != bases->begin()) {
    base = *std::prev(it);
  } else if (it != bases->end()) {
    base = *it;
  } else {
    return false;
  }
  auto f = env_->NewRandomAccessFile(SegmentPath(dir_, base));
  if (!f.ok()) {
    if (f.status().code() == StatusCode::kNotFound) return false;  // released meanwhile: retry
    return f.status();
  }
  file_ = std::move(*f);
  seg_base_ = base;
  seg_path_ = SegmentPath(dir_, base);
  pos_ = std::max(pos_, base + kSegmentHeaderSize);
  return true;
}

Result<bool> JournalReader::NextSegment() {
  auto bases = ListSegments(env_, dir_);
  if (!bases.ok()) return bases.status();
  auto it = std::upper_bound(bases->begin(), bases->end(), seg_base_);
  if (it == bases->end()) return false;
  pos_ = *it;
  file_.reset();
  return OpenSegment();
}

void JournalReader::Quarantine() {
  if (!quarantined_.insert(seg_base_).second) return;
  Status s = QuarantineSegment(env_, dir_, seg_base_, QuarantineMode::kLink);
  if (!s.ok()) {
    Log().Error("journal: could not quarantine {}: {}", seg_path_, s.ToString());
    return;
  }
  metrics_.quarantined_segments->Inc();
}

Result<bool> JournalReader::HandleBadFrame(uint64_t limit, std::vector<ReadLoss>* losses) {
  auto size = file_->Size();  // the file may be unlinked already
  if (!size.ok()) return size.status();
  auto bases = ListSegments(env_, dir_);
  if (!bases.ok()) return bases.status();
  auto later = std::upper_bound(bases->begin(), bases->end(), seg_base_);
  uint64_t next_base = later == bases->end() ? UINT64_MAX : *later;
  uint64_t off = pos_ - seg_base_;
  // This segment's data lies below the next segment's base (preallocated zeros may not).
  uint64_t end = std::min(*size, next_base - seg_base_);
  bool limit_bounded = false;
  if (limit < next_base && limit - seg_base_ < end) {
    end = limit - seg_base_;
    limit_bounded = true;
  }
  std::string rest;
  if (end > off) CT_RETURN_IF_ERROR(file_->Read(off, end - off, &rest));
  // Do not skip by the bad frame's length: it is not covered by a good CRC. Scan from the next
  // byte for a frame that checks.
  size_t next = FindNextValidFrame(rest, 1);
  if (next == std::string::npos && !limit_bounded) {
    // Nothing valid follows: the end of this segment's data (zeros or a torn tail).
    auto moved = NextSegment();
    if (!moved.ok()) return moved.status();
    return *moved;
  }
  // Corruption: valid data follows (or the limit, a known record boundary, does).
  uint64_t skipped = next == std::string::npos ? rest.size() : next;
  uint64_t avg = seen_records_ == 0 ? 0 : seen_bytes_ / seen_records_;
  uint64_t lost = EstimateRecordsLost(skipped, avg);
  metrics_.corrupt_bytes->Inc(skipped);
  metrics_.records_lost->Inc(lost);
  Log().Error(
      "journal corruption in {} at offset {}: skipped {} bytes (~{} records lost); "
      "segment quarantined",
      seg_path_, off, skipped, lost);
  Quarantine();
  losses->push_back({pos_, lost});
  pos_ += skipped;
  return true;
}

Result<ReadBatch> JournalReader::Next(uint64_t limit, size_t max_records, size_t max_bytes) {
  ReadBatch batch;
  size_t bytes = 0;
  std::string buf;
  while (batch.records.size() < max_records && (bytes < max_bytes || batch.records.empty())) {
    if (file_ == nullptr) {
      auto opened = OpenSegment();
      if (!opened.ok()) return opened.status();
      if (!*opened) break;
    }
    if (pos_ >= limit) break;
    uint64_t off = pos_ - seg_base_;
    size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, limit - pos_));
    CT_RETURN_IF_ERROR(file_->Read(off, want, &buf));
    std::string_view view = buf;
    size_t p = 0;
    bool full = false;
    FrameCheck check = FrameCheck::kOk;
    while (p < view.size()) {
      Frame f;
      check = CheckFrame(view.substr(p), &f);
      if (check != FrameCheck::kOk) break;
      bool skip = !KnownType(f.type) && (f.flags & kFlagSafeToIgnore) != 0;
      if (!skip) {
        batch.records.push_back({pos_, pos_ + f.size, f.type, f.flags, std::string(f.payload)});
        bytes += f.payload.size();
      }
      ++seen_records_;
      seen_bytes_ += f.size;
      pos_ += f.size;
      p += f.size;
      if (batch.records.size() >= max_records || bytes >= max_bytes) {
        full = true;
        break;
      }
    }
    if (full) break;
    if (p == view.size() && view.size() > 0) continue;  // consumed the chunk: read the next one
    // A frame that does not fit the chunk but started after its beginning: re-read from it.
    if (check == FrameCheck::kTruncated && p > 0 && buf.size() == want && pos_ < limit) continue;
    auto go_on = HandleBadFrame(limit, &batch.losses);
    if (!go_on.ok()) return go_on.status();
    if (!*go_on) break;
  }
  batch.next_position = pos_;
  return batch;
}

}  // namespace ct::journal

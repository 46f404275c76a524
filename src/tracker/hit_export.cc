#include "tracker/hit_export.h"

#include <zlib.h>

#include <boost/json/parse.hpp>
#include <filesystem>

#include "common/event.h"
#include "common/time_format.h"
#include "tracker/export_file.h"
#include "tracker/hit_json.h"

namespace ct {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

}  // namespace

HitExporter::HitExporter(HitExportOptions options, Store* store)
    : options_(std::move(options)), store_(store) {}

std::string HitExporter::DayPath(int64_t day_start_us) const {
  // FormatIso8601 of a midnight: "YYYY-MM-DDT00:00:00Z"; the date is its first 10 characters.
  return options_.dir + "/hits-" + FormatIso8601(day_start_us).substr(0, 10) + ".ndjson.gz";
}

Result<std::unordered_set<std::string>> ReadExportedClickIds(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path);
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Status::IoError("opening " + path);
  std::unordered_set<std::string> ids;
  std::string line;
  char buf[64 * 1024];
  Status st;
  // gzgets stops at a newline or a full buffer: a line longer than the buffer arrives in parts.
  while (gzgets(gz, buf, sizeof buf) != nullptr) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    boost::system::error_code jec;
    boost::json::value v = boost::json::parse(line, jec);
    line.clear();
    const boost::json::object* o = jec ? nullptr : v.if_object();
    const boost::json::value* id = o ? o->if_contains("click_id") : nullptr;
    if (id == nullptr || !id->is_string()) {
      st = Status::Corruption(path + ": a line without a click_id");
      break;
    }
    ids.emplace(id->as_string());
  }
  int err = Z_OK;
  const char* msg = gzerror(gz, &err);
  if (st.ok() && err != Z_OK && err != Z_BUF_ERROR) {
    st = Status::Corruption(path + ": " + (msg ? msg : "gzip error"));
  }
  gzclose(gz);
  if (st.ok() && !line.empty()) st = Status::Corruption(path + ": last line not terminated");
  if (!st.ok()) return st;
  return ids;
}

Result<std::vector<EventId>> HitExporter::ExportDay(int64_t day_start_us) {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return Status::IoError("creating " + options_.dir + ": " + ec.message());
  const std::string path = DayPath(day_start_us);

  // Merge with an earlier export of the day: keep its bytes, skip the hits it holds.
  std::unordered_set<std::string> already;
  std::string copy_from;
  Result<std::unordered_set<std::string>> existing = ReadExportedClickIds(path);
  if (existing.ok()) {
    already = std::move(*existing);
    copy_from = path;
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();  // never overwrite a file we cannot read: it may hold the only copy
  }
  Result<std::unique_ptr<ExportFile>> file = ExportFile::Create(path, /*gzip=*/true, copy_from);
  if (!file.ok()) return file.status();

  std::vector<EventId> ids;
  size_t written = 0;
  std::optional<HitCursor> after;
  for (;;) {
    Result<std::vector<ExportedHit>> page =
        store_->ScanHits(day_start_us, day_start_us + kDayUs, after, options_.batch_rows);
    if (!page.ok()) return page.status();
    std::string chunk;
    for (const ExportedHit& h : *page) {
      ids.push_back(h.row.event_id);
      if (already.count(ClickId(h.row.event_id)) != 0) continue;
      chunk += HitJsonLine(h);
      ++written;
    }
    if (Status s = (*file)->Write(chunk); !s.ok()) return s;
    if (page->size() < static_cast<size_t>(options_.batch_rows)) break;
    after = HitCursor{page->back().row.time_us, page->back().row.event_id};
  }
  // Nothing new: an existing file already holds every id (leave it untouched), and a day
  // without hits gets no file.
  if (written == 0 && (!copy_from.empty() || ids.empty())) return ids;
  if (Status s = (*file)->Commit(); !s.ok()) return s;
  return ids;
}

}  // namespace ct

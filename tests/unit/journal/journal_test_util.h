// Helpers shared by the journal unit tests: a temp dir, record builders, read-back.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "journal/format.h"
#include "journal/reader.h"
#include "journal/segment_files.h"
#include "journal/writer.h"

namespace ct::journal::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ctjournal-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string Payload(int i) { return "event-" + std::to_string(i); }
inline std::string Framed(int i, RecordType type = RecordType::kEvent, uint8_t flags = 0) {
  std::string s;
  AppendRecord(&s, type, Payload(i), flags);
  return s;
}
// A segment file's bytes: header + records first..first+n-1.
inline std::string MakeSegment(uint64_t base, int first, int n) {
  std::string s = SegmentHeader(base);
  for (int i = first; i < first + n; ++i) s += Framed(i);
  return s;
}
inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}
inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline int CountSegments(const std::string& dir) {
  auto b = ListSegments(FileEnv::Posix(), dir);
  return b.ok() ? static_cast<int>(b->size()) : -1;
}

// Every payload readable below `limit`, in order.
inline std::vector<std::string> ReadAllPayloads(const std::string& dir, MetricsRegistry* m,
                                                uint64_t limit = UINT64_MAX) {
  JournalReader r(dir, FileEnv::Posix(), m);
  std::vector<std::string> out;
  while (true) {
    auto b = r.Next(limit, 100, 1 << 20);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok() || b->records.empty()) break;
    for (auto& rec : b->records) out.push_back(rec.payload);
  }
  return out;
}
inline std::vector<std::string> Payloads(int first, int n) {
  std::vector<std::string> v;
  for (int i = first; i < first + n; ++i) v.push_back(Payload(i));
  return v;
}

// Waits (bounded) for WhenDurable(pos) and returns its status.
inline Status WaitDurable(JournalWriter* w, uint64_t pos) {
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  w->WhenDurable(pos, [p](const Status& s) { p->set_value(s); });
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Status::DeadlineExceeded("WhenDurable did not fire");
  }
  return f.get();
}

inline JournalOptions SmallOptions(const std::string& dir) {
  JournalOptions o;
  o.dir = dir;
  o.segment_bytes = 1 << 20;
  o.commit_delay = std::chrono::microseconds(1000);
  return o;
}

}  // namespace ct::journal::testing

#include "journal/segment_files.h"

#include <algorithm>

#include "journal/format.h"

namespace ct::journal {

std::string SegmentPath(const std::string& dir, uint64_t base) {
  return JoinPath(dir, SegmentFileName(base));
}

Result<std::vector<uint64_t>> ListSegments(FileEnv* env, const std::string& dir) {
  auto names = env->ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<uint64_t> bases;
  for (const std::string& n : *names) {
    uint64_t base = 0;
    if (ParseSegmentFileName(n, &base)) bases.push_back(base);
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

Status QuarantineSegment(FileEnv* env, const std::string& dir, uint64_t base, QuarantineMode mode) {
  std::string qdir = JoinPath(dir, kQuarantineDir);
  CT_RETURN_IF_ERROR(env->CreateDirs(qdir));
  std::string from = SegmentPath(dir, base);
  std::string to = JoinPath(qdir, SegmentFileName(base));
  if (mode == QuarantineMode::kLink) {
    Status s = env->Link(from, to);
    if (s.code() == StatusCode::kAlreadyExists) return Status::Ok();
    CT_RETURN_IF_ERROR(s);
  } else {
    // Never clobber earlier evidence: keep the first copy under its name.
    if (env->FileExists(to).ok()) to += ".1";
    CT_RETURN_IF_ERROR(env->Rename(from, to));
    CT_RETURN_IF_ERROR(env->SyncDir(dir));
  }
  return env->SyncDir(qdir);
}

}  // namespace ct::journal

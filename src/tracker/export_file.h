// ExportFile: a file written whole or not at all, optionally gzip-compressed (zlib), for raw-hit
// exports. Bytes go to `<final>.tmp`; Commit() finishes the gzip stream, fsyncs the file,
// renames it over `<final>` and fsyncs the directory, so after Commit() returns OK the file is
// on disk under its name, and after a crash at any point the final name holds either the old
// file or the new one, never a torn one. Destroying an uncommitted ExportFile removes the temp.
//
// Appending to a gzip file: a gzip file may hold several members one after the other, and
// readers (zlib's gzread, gunzip, zcat, Python's gzip) read them as one stream. `copy_from`
// copies an existing file's bytes verbatim first, so the new data becomes a new member after
// the old ones without recompressing them.
//
// Not thread-safe: one writer.
#pragma once

#include <zlib.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace ct {

class ExportFile {
 public:
  // gzip: compress what Write() is given (level 6, zlib's default). copy_from: a file whose
  // bytes are copied raw before anything else ("" = none).
  static Result<std::unique_ptr<ExportFile>> Create(const std::string& final_path, bool gzip,
                                                    const std::string& copy_from = "");
  ~ExportFile();
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;

  [[nodiscard]] Status Write(std::string_view bytes);
  // Finish, fsync, rename into place, fsync the directory. The object is spent afterwards.
  [[nodiscard]] Status Commit();

 private:
  ExportFile(std::string final_path, std::string tmp_path, int fd, gzFile gz)
      : final_path_(std::move(final_path)), tmp_path_(std::move(tmp_path)), fd_(fd), gz_(gz) {}

  const std::string final_path_;
  const std::string tmp_path_;
  int fd_ = -1;
  gzFile gz_ = nullptr;  // writes through a dup of fd_; null for a plain file
  bool committed_ = false;
};

// Fsyncs the directory holding `path`, so a rename into it survives a power loss.
[[nodiscard]] Status SyncParentDir(const std::string& path);

}  // namespace ct

// FileEnv: the journal's only door to the file system, in the style of leveldb's Env, so tests
// can put a fault-injecting layer (fault_injection_env.h) between the journal and the disk.
//
// Every call returns a Status/Result; nothing throws. Paths are plain strings. Implementations
// must be thread-safe for calls on distinct objects; a single WritableFile or RandomAccessFile
// is used by one thread at a time, except that Sync() may run concurrently with Append() on the
// same file (the group-commit thread syncs while appenders keep writing).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ct::journal {

// A file written at a tracked offset (pwrite), so that space preallocated with Allocate() is
// overwritten in place instead of appended after. The destructor closes without syncing.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data` at the current offset and advances it, or returns an error (after a
  // failure, part of `data` may have reached the file).
  [[nodiscard]] virtual Status Append(std::string_view data) = 0;
  // fdatasync. After a failure the caller must not trust a later Sync() of this file (fsyncgate).
  [[nodiscard]] virtual Status Sync() = 0;
  // Reserves [0, length) (fallocate, zero filled) so that later writes cannot hit ENOSPC. File
  // systems without fallocate are not an error: preallocation is an optimisation.
  [[nodiscard]] virtual Status Allocate(uint64_t length) = 0;
  // Sets the file size (and the write offset, if it was past it).
  [[nodiscard]] virtual Status Truncate(uint64_t size) = 0;
  [[nodiscard]] virtual Status Close() = 0;
  // The current write offset.
  virtual uint64_t Offset() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `out` (replacing it); fewer only at end of file.
  [[nodiscard]] virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  // The current size (fstat): valid even after the file was unlinked.
  virtual Result<uint64_t> Size() const = 0;
};

class FileEnv {
 public:
  virtual ~FileEnv() = default;

  // Creates `path`, which must not exist (O_EXCL: a segment is never overwritten).
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens an existing file for writing at offset 0 (used to truncate a torn tail).
  virtual Result<std::unique_ptr<WritableFile>> OpenWritableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  [[nodiscard]] virtual Status ReadFileToString(const std::string& path, std::string* out);

  // Names (not paths) of the entries of `dir`, without "." and "..", unsorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  [[nodiscard]] virtual Status FileExists(const std::string& path) = 0;  // OK or NotFound
  [[nodiscard]] virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes a file; NotFound if it does not exist.
  [[nodiscard]] virtual Status Remove(const std::string& path) = 0;
  // Hard link; AlreadyExists if `to` exists.
  [[nodiscard]] virtual Status Link(const std::string& from, const std::string& to) = 0;
  [[nodiscard]] virtual Status CreateDirs(const std::string& dir) = 0;  // mkdir -p
  // fsync of the directory itself, so that entries created or removed in it are durable.
  [[nodiscard]] virtual Status SyncDir(const std::string& dir) = 0;

  // The real file system; never null, never freed.
  static FileEnv* Posix();
};

// "dir/name"
std::string JoinPath(const std::string& dir, const std::string& name);
// "a/b/c" -> "a/b"; "c" -> "."
std::string DirName(const std::string& path);

}  // namespace ct::journal

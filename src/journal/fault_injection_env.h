// FaultInjectionEnv: a FileEnv wrapper for tests that fails writes, syncs and preallocations on
// demand, simulates short writes, and simulates power loss (DropUnsyncedData), in the spirit of
// SQLite's crash VFS and leveldb's FaultInjectionTestEnv.
//
// It tracks, per file, the length written and the length at the last successful Sync(), and
// which files were created since their directory was last synced. Thread-safe. The wrapped env
// must outlive it; files it hands out must not outlive it.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "journal/file_env.h"

namespace ct::journal {

class FaultInjectionEnv : public FileEnv {
 public:
  static constexpr int kForever = -1;

  explicit FaultInjectionEnv(FileEnv* target) : target_(target) {}

  // The next `n` (or kForever) calls fail with `err` (EIO, ENOSPC, ...) without touching the file.
  void FailWrites(int n, int err);
  void FailSyncs(int n, int err);  // WritableFile::Sync only; SyncDir is separate
  void FailDirSyncs(int n, int err);
  void FailAllocates(int n, int err);
  void FailCreates(int n, int err);  // NewWritableFile
  // The next write writes only its first `bytes` bytes, then fails with `err`.
  void ShortWriteNext(size_t bytes, int err);
  // Clears every pending fault.
  void ClearFaults();

  // Power loss: every file is truncated to its length at its last successful Sync(), and files
  // created since their directory's last SyncDir() are removed. Call it once the code under
  // test can no longer write (e.g. after SetFrozen(true)).
  void DropUnsyncedData();
  // While frozen every mutating call fails with EIO: the machine is "off".
  void SetFrozen(bool frozen);

  // Counters and the history of syncs (the path each WritableFile::Sync call hit, in order,
  // with whether it succeeded).
  struct SyncCall {
    std::string path;
    bool ok;
  };
  int writes() const;
  int syncs() const;
  int dir_syncs() const;
  std::vector<SyncCall> sync_calls() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return target_->NewRandomAccessFile(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return target_->ListDir(dir);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return target_->FileSize(path); }
  Status FileExists(const std::string& path) override { return target_->FileExists(path); }
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status Link(const std::string& from, const std::string& to) override;
  Status CreateDirs(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;

 private:
  friend class FaultWritableFile;
  struct Fault {
    int remaining = 0;  // kForever, or how many more calls fail
    int err = 0;
  };
  // True (and consumes one) if the next call of this kind must fail; sets *err.
  bool Take(Fault* f, int* err);
  Status BeforeWrite(size_t size, size_t* short_bytes);
  Status BeforeSync(const std::string& path);
  void AfterSync(const std::string& path, uint64_t size, bool ok);
  Status BeforeAllocate();
  void Written(const std::string& path, uint64_t end);

  FileEnv* const target_;
  // Held shared across each write and sync (the real call and its bookkeeping), exclusively by
  // DropUnsyncedData: a sync that completed is recorded before the "power" can go out.
  std::shared_mutex io_mu_;
  mutable std::mutex mu_;
  Fault write_, sync_, dir_sync_, allocate_, create_;
  size_t short_write_bytes_ = 0;
  int short_write_err_ = 0;
  bool short_write_armed_ = false;
  bool frozen_ = false;
  int writes_ = 0, syncs_ = 0, dir_syncs_ = 0;
  std::vector<SyncCall> sync_calls_;
  struct FileState {
    uint64_t written = 0;  // max end offset written
    uint64_t synced = 0;   // length covered by the last successful Sync
  };
  std::map<std::string, FileState> files_;
  std::set<std::string> unsynced_entries_;  // created since their dir's last SyncDir
};

}  // namespace ct::journal

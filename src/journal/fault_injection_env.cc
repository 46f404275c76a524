#include "journal/fault_injection_env.h"

#include <cerrno>

namespace ct::journal {

// Wraps a real file; asks the env before each call whether it must fail.
class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> f)
      : env_(env), path_(std::move(path)), f_(std::move(f)) {}

  Status Append(std::string_view data) override {
    std::shared_lock io(env_->io_mu_);
    size_t short_bytes = 0;
    Status s = env_->BeforeWrite(data.size(), &short_bytes);
    if (!s.ok() && short_bytes > 0) {
      // A short write: part of the data reaches the file, then the error.
      Status w = f_->Append(data.substr(0, short_bytes));
      env_->Written(path_, f_->Offset());
      return w.ok() ? s : w;
    }
    CT_RETURN_IF_ERROR(s);
    Status w = f_->Append(data);
    env_->Written(path_, f_->Offset());
    return w;
  }
  Status Sync() override {
    std::shared_lock io(env_->io_mu_);
    CT_RETURN_IF_ERROR(env_->BeforeSync(path_));
    uint64_t size = f_->Offset();
    Status s = f_->Sync();
    env_->AfterSync(path_, size, s.ok());
    return s;
  }
  Status Allocate(uint64_t length) override {
    CT_RETURN_IF_ERROR(env_->BeforeAllocate());
    return f_->Allocate(length);
  }
  Status Truncate(uint64_t size) override { return f_->Truncate(size); }
  Status Close() override { return f_->Close(); }
  uint64_t Offset() const override { return f_->Offset(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> f_;
};

void FaultInjectionEnv::FailWrites(int n, int err) {
  std::lock_guard l(mu_);
  write_ = {n, err};
}
void FaultInjectionEnv::FailSyncs(int n, int err) {
  std::lock_guard l(mu_);
  sync_ = {n, err};
}
void FaultInjectionEnv::FailDirSyncs(int n, int err) {
  std::lock_guard l(mu_);
  dir_sync_ = {n, err};
}
void FaultInjectionEnv::FailAllocates(int n, int err) {
  std::lock_guard l(mu_);
  allocate_ = {n, err};
}
void FaultInjectionEnv::FailCreates(int n, int err) {
  std::lock_guard l(mu_);
  create_ = {n, err};
}
void FaultInjectionEnv::ShortWriteNext(size_t bytes, int err) {
  std::lock_guard l(mu_);
  short_write_armed_ = true;
  short_write_bytes_ = bytes;
  short_write_err_ = err;
}
void FaultInjectionEnv::ClearFaults() {
  std::lock_guard l(mu_);
  write_ = sync_ = dir_sync_ = allocate_ = create_ = Fault{};
  short_write_armed_ = false;
}
void FaultInjectionEnv::SetFrozen(bool frozen) {
  std::lock_guard l(mu_);
  frozen_ = frozen;
}

int FaultInjectionEnv::writes() const {
  std::lock_guard l(mu_);
  return writes_;
}
int FaultInjectionEnv::syncs() const {
  std::lock_guard l(mu_);
  return syncs_;
}
int FaultInjectionEnv::dir_syncs() const {
  std::lock_guard l(mu_);
  return dir_syncs_;
}
std::vector<FaultInjectionEnv::SyncCall> FaultInjectionEnv::sync_calls() const {
  std::lock_guard l(mu_);
  return sync_calls_;
}

bool FaultInjectionEnv::Take(Fault* f, int* err) {
  if (frozen_) {
    *err = EIO;
    return true;
  }
  if (f->remaining == 0) return false;
  if (f->remaining > 0) --f->remaining;
  *err = f->err;
  return true;
}

Status FaultInjectionEnv::BeforeWrite(size_t size, size_t* short_bytes) {
  std::lock_guard l(mu_);
  ++writes_;
  int err = 0;
  if (Take(&write_, &err)) return Status::FromErrno("injected write fault", err);
  if (short_write_armed_) {
    short_write_armed_ = false;
    *short_bytes = std::min(short_write_bytes_, size);
    return Status::FromErrno("injected short write", short_write_err_);
  }
  return Status::Ok();
}

Status FaultInjectionEnv::BeforeSync(const std::string& path) {
  std::lock_guard l(mu_);
  ++syncs_;
  int err = 0;
  if (Take(&sync_, &err)) {
    sync_calls_.push_back({path, false});
    return Status::FromErrno("injected fdatasync fault " + path, err);
  }
  return Status::Ok();
}

void FaultInjectionEnv::AfterSync(const std::string& path, uint64_t size, bool ok) {
  std::lock_guard l(mu_);
  sync_calls_.push_back({path, ok});
  if (ok) files_[path].synced = std::max(files_[path].synced, size);
}

Status FaultInjectionEnv::BeforeAllocate() {
  std::lock_guard l(mu_);
  int err = 0;
  if (Take(&allocate_, &err)) return Status::FromErrno("injected fallocate fault", err);
  return Status::Ok();
}

void FaultInjectionEnv::Written(const std::string& path, uint64_t end) {
  std::lock_guard l(mu_);
  files_[path].written = std::max(files_[path].written, end);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  {
    std::lock_guard l(mu_);
    int err = 0;
    if (Take(&create_, &err)) return Status::FromErrno("injected create fault " + path, err);
  }
  auto f = target_->NewWritableFile(path);
  if (!f.ok()) return f.status();
  std::lock_guard l(mu_);
  files_[path] = FileState{};
  unsynced_entries_.insert(path);
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(*f)));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenWritableFile(const std::string& path) {
  {
    std::lock_guard l(mu_);
    if (frozen_) return Status::FromErrno("frozen", EIO);
  }
  auto f = target_->OpenWritableFile(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(*f)));
}

Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  {
    std::lock_guard l(mu_);
    if (frozen_) return Status::FromErrno("frozen", EIO);
  }
  return target_->Rename(from, to);
}
Status FaultInjectionEnv::Remove(const std::string& path) {
  {
    std::lock_guard l(mu_);
    if (frozen_) return Status::FromErrno("frozen", EIO);
    files_.erase(path);
    unsynced_entries_.erase(path);
  }
  return target_->Remove(path);
}
Status FaultInjectionEnv::Link(const std::string& from, const std::string& to) {
  {
    std::lock_guard l(mu_);
    if (frozen_) return Status::FromErrno("frozen", EIO);
  }
  return target_->Link(from, to);
}
Status FaultInjectionEnv::CreateDirs(const std::string& dir) { return target_->CreateDirs(dir); }

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  {
    std::lock_guard l(mu_);
    ++dir_syncs_;
    int err = 0;
    if (Take(&dir_sync_, &err)) return Status::FromErrno("injected dir fsync fault", err);
  }
  Status s = target_->SyncDir(dir);
  if (s.ok()) {
    std::lock_guard l(mu_);
    for (auto it = unsynced_entries_.begin(); it != unsynced_entries_.end();) {
      it = DirName(*it) == dir ? unsynced_entries_.erase(it) : std::next(it);
    }
  }
  return s;
}

void FaultInjectionEnv::DropUnsyncedData() {
  std::unique_lock io(io_mu_);
  std::lock_guard l(mu_);
  for (const std::string& path : unsynced_entries_) {
    (void)target_->Remove(path);  // the directory entry never reached the disk
    files_.erase(path);
  }
  unsynced_entries_.clear();
  for (auto& [path, st] : files_) {
    auto f = target_->OpenWritableFile(path);
    if (!f.ok()) continue;  // already removed
    (void)(*f)->Truncate(st.synced);
    (void)(*f)->Close();
    st.written = st.synced;
  }
}

}  // namespace ct::journal

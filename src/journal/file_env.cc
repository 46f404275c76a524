#include "journal/file_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ct::journal {
namespace {

// Retries a syscall interrupted by a signal: EINTR is not an I/O error.
template <typename F>
auto NoIntr(F f) {
  decltype(f()) r;
  do {
    r = f();
  } while (r < 0 && errno == EINTR);
  return r;
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    // Short writes are looped; only an error return stops us.
    while (!data.empty()) {
      ssize_t n = NoIntr([&] { return ::pwrite(fd_, data.data(), data.size(), offset_); });
      if (n < 0) return Status::FromErrno("write " + path_, errno);
      if (n == 0) return Status::IoError("write " + path_ + ": wrote 0 bytes");
      offset_ += static_cast<uint64_t>(n);
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (NoIntr([&] { return ::fdatasync(fd_); }) != 0) {
      return Status::FromErrno("fdatasync " + path_, errno);
    }
    return Status::Ok();
  }
  Status Allocate(uint64_t length) override {
    int r = NoIntr([&] { return ::fallocate(fd_, 0, 0, static_cast<off_t>(length)); });
    if (r != 0) {
      // Not supported here: fall back to growing the file as we write.
      if (errno == EOPNOTSUPP || errno == ENOSYS) return Status::Ok();
      return Status::FromErrno("fallocate " + path_, errno);
    }
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    if (NoIntr([&] { return ::ftruncate(fd_, static_cast<off_t>(size)); }) != 0) {
      return Status::FromErrno("ftruncate " + path_, errno);
    }
    if (offset_ > size) offset_ = size;
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int fd = fd_;
    fd_ = -1;
    // No retry on EINTR: on Linux the fd is released even then, and a retry could close
    // someone else's descriptor.
    if (::close(fd) != 0 && errno != EINTR) return Status::FromErrno("close " + path_, errno);
    return Status::Ok();
  }
  uint64_t Offset() const override { return offset_; }

 private:
  int fd_;
  std::string path_;
  uint64_t offset_ = 0;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = NoIntr([&] { return ::pread(fd_, out->data() + got, n - got, offset + got); });
      if (r < 0) return Status::FromErrno("read " + path_, errno);
      if (r == 0) break;  // end of file
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return Status::Ok();
  }
  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno("fstat " + path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  int fd_;
  std::string path_;
};

class PosixFileEnv : public FileEnv {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return OpenW(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC);
  }
  Result<std::unique_ptr<WritableFile>> OpenWritableFile(const std::string& path) override {
    return OpenW(path, O_WRONLY | O_CLOEXEC);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = NoIntr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return OpenError(path);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(fd, path));
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return OpenError(dir);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    return names;
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return OpenError(path);
    return static_cast<uint64_t>(st.st_size);
  }
  Status FileExists(const std::string& path) override {
    if (::access(path.c_str(), F_OK) == 0) return Status::Ok();
    return OpenError(path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno("rename " + from, errno);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return OpenError(path);
    return Status::Ok();
  }
  Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      if (errno == EEXIST) return Status::AlreadyExists(to);
      return OpenError(from);
    }
    return Status::Ok();
  }
  Status CreateDirs(const std::string& dir) override {
    if (dir.empty()) return Status::Ok();
    if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return Status::Ok();
    if (errno != ENOENT) return Status::FromErrno("mkdir " + dir, errno);
    CT_RETURN_IF_ERROR(CreateDirs(DirName(dir)));
    if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return Status::Ok();
    return Status::FromErrno("mkdir " + dir, errno);
  }
  Status SyncDir(const std::string& dir) override {
    int fd = NoIntr([&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return OpenError(dir);
    Status s;
    if (NoIntr([&] { return ::fsync(fd); }) != 0) s = Status::FromErrno("fsync dir " + dir, errno);
    ::close(fd);
    return s;
  }

 private:
  static Status OpenError(const std::string& path) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::FromErrno(path, errno);
  }
  Result<std::unique_ptr<WritableFile>> OpenW(const std::string& path, int flags) {
    int fd = NoIntr([&] { return ::open(path.c_str(), flags, 0644); });
    if (fd < 0) {
      if (errno == EEXIST) return Status::AlreadyExists(path);
      return OpenError(path);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path));
  }
};

}  // namespace

Status FileEnv::ReadFileToString(const std::string& path, std::string* out) {
  auto f = NewRandomAccessFile(path);
  if (!f.ok()) return f.status();
  auto size = FileSize(path);
  if (!size.ok()) return size.status();
  return (*f)->Read(0, static_cast<size_t>(*size), out);
}

FileEnv* FileEnv::Posix() {
  static PosixFileEnv* env = new PosixFileEnv();  // never freed: used until exit
  return env;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace ct::journal

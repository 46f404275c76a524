#include "tracker/export_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ct {
namespace {

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("writing " + path);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status CopyRaw(const std::string& from, int fd, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("opening " + from);
  char buf[64 * 1024];
  Status st;
  for (;;) {
    ssize_t r = ::read(in, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      st = Errno("reading " + from);
      break;
    }
    if (r == 0) break;
    st = WriteAll(fd, buf, static_cast<size_t>(r), to);
    if (!st.ok()) break;
  }
  ::close(in);
  return st;
}

}  // namespace

Status SyncParentDir(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  // Not `dir = "."` on a string: GCC 12 warns a false -Wrestrict on that assignment.
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening directory " + dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync of directory " + dir);
}

Result<std::unique_ptr<ExportFile>> ExportFile::Create(const std::string& final_path, bool gzip,
                                                       const std::string& copy_from) {
  const std::string tmp = final_path + ".tmp";
  // O_TRUNC: a temp left by a crash is garbage (its name was never committed).
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("creating " + tmp);
  if (!copy_from.empty()) {
    if (Status s = CopyRaw(copy_from, fd, tmp); !s.ok()) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
  }
  gzFile gz = nullptr;
  if (gzip) {
    // gzclose closes the descriptor it was given: hand it a dup, keep fd_ for the fsync.
    int dup = ::dup(fd);
    gz = dup < 0 ? nullptr : gzdopen(dup, "wb");
    if (gz == nullptr) {
      if (dup >= 0) ::close(dup);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IoError("gzdopen " + tmp);
    }
  }
  return std::unique_ptr<ExportFile>(new ExportFile(final_path, tmp, fd, gz));
}

ExportFile::~ExportFile() {
  if (committed_) return;
  if (gz_ != nullptr) gzclose(gz_);
  if (fd_ >= 0) ::close(fd_);
  ::unlink(tmp_path_.c_str());
}

Status ExportFile::Write(std::string_view bytes) {
  if (gz_ == nullptr) return WriteAll(fd_, bytes.data(), bytes.size(), tmp_path_);
  while (!bytes.empty()) {
    // gzwrite takes an unsigned length; write in slices well under its limit.
    const unsigned n = static_cast<unsigned>(std::min<size_t>(bytes.size(), 1u << 30));
    if (gzwrite(gz_, bytes.data(), n) != static_cast<int>(n)) {
      int err = 0;
      const char* msg = gzerror(gz_, &err);
      return Status::IoError("writing " + tmp_path_ + ": " + (msg ? msg : "gzwrite failed"));
    }
    bytes.remove_prefix(n);
  }
  return Status::Ok();
}

Status ExportFile::Commit() {
  if (gz_ != nullptr) {
    // Flushes the deflate stream and the gzip trailer into the dup'ed descriptor.
    const int rc = gzclose(gz_);
    gz_ = nullptr;
    if (rc != Z_OK) return Status::IoError("finishing the gzip stream of " + tmp_path_);
  }
  if (::fsync(fd_) != 0) return Errno("fsync of " + tmp_path_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return Errno("closing " + tmp_path_);
  }
  fd_ = -1;
  if (::rename(tmp_path_.c_str(), final_path_.c_str()) != 0) {
    return Errno("renaming " + tmp_path_ + " to " + final_path_);
  }
  committed_ = true;
  return SyncParentDir(final_path_);
}

}  // namespace ct

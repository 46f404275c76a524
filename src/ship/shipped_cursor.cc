#include "ship/shipped_cursor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

namespace ct::ship {
namespace {

constexpr std::string_view kPrefix = "clicktrail-shipped-cursor v1 ";

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

}  // namespace

Result<uint64_t> ReadShippedCursor(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return uint64_t{0};
    return Errno("opening " + path);
  }
  char buf[128];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  if (n < 0) return Errno("reading " + path);
  std::string_view text(buf, static_cast<size_t>(n));
  if (!text.starts_with(kPrefix) || !text.ends_with("\n")) {
    return Status::Corruption(path + " is not a shipped cursor");
  }
  text.remove_prefix(kPrefix.size());
  text.remove_suffix(1);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status::Corruption(path + " holds no position");
  }
  return v;
}

Status WriteShippedCursor(const std::string& path, uint64_t position) {
  const std::string tmp = path + ".tmp";
  const std::string text = std::string(kPrefix) + std::to_string(position) + "\n";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating " + tmp);
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  fdatasync(fd) == 0;
  const int saved = errno;
  close(fd);
  errno = saved;
  if (!ok) return Errno("writing " + tmp);
  if (rename(tmp.c_str(), path.c_str()) != 0) return Errno("renaming " + tmp);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("opening " + dir);
  const bool synced = fsync(dfd) == 0;
  close(dfd);
  if (!synced) return Errno("syncing " + dir);
  return Status::Ok();
}

}  // namespace ct::ship

#include "monitor/alarm_state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <string_view>

namespace ct {
namespace {

// An alarm state file is a few hundred bytes per rule; anything far bigger is not ours.
constexpr size_t kMaxStateFileBytes = 1 << 20;

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("write " + path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

int64_t GetInt(const boost::json::object& o, std::string_view key, bool* ok) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    *ok = false;
    return 0;
  }
  return v->as_int64();
}

}  // namespace

Result<std::map<std::string, PersistedAlarm>> AlarmStateFile::Load() const {
  std::map<std::string, PersistedAlarm> out;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return out;
    return Status::FromErrno("open " + path_, errno);
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno("read " + path_, err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxStateFileBytes) {
      ::close(fd);
      return Status::Corruption(path_ + ": larger than 1 MiB");
    }
  }
  ::close(fd);

  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) return Status::Corruption(path_ + ": not JSON: " + ec.message());
  const boost::json::object* top = root.if_object();
  const boost::json::value* alarms = top ? top->if_contains("alarms") : nullptr;
  if (alarms == nullptr || !alarms->is_object()) {
    return Status::Corruption(path_ + ": no \"alarms\" object");
  }
  for (const auto& [name, v] : alarms->get_object()) {
    const boost::json::object* o = v.if_object();
    const boost::json::value* state = o ? o->if_contains("state") : nullptr;
    if (state == nullptr || !state->is_string()) {
      return Status::Corruption(path_ + ": alarm " + std::string(name) + " has no state");
    }
    PersistedAlarm a;
    a.state = std::string(state->get_string());
    bool ok = true;
    a.since_us = GetInt(*o, "since_us", &ok);
    a.last_sent_us = GetInt(*o, "last_sent_us", &ok);
    if (!ok || (a.state != "ok" && a.state != "pending" && a.state != "firing")) {
      return Status::Corruption(path_ + ": alarm " + std::string(name) + " is malformed");
    }
    out[std::string(name)] = a;
  }
  return out;
}

Status AlarmStateFile::Save(const std::map<std::string, PersistedAlarm>& alarms) const {
  boost::json::object all;
  for (const auto& [name, a] : alarms) {
    all[name] = {{"state", a.state}, {"since_us", a.since_us}, {"last_sent_us", a.last_sent_us}};
  }
  boost::json::object root{{"version", 1}, {"alarms", std::move(all)}};
  std::string text = boost::json::serialize(root) + "\n";

  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + tmp, errno);
  Status s = WriteAll(fd, text, tmp);
  // fsync before rename: otherwise a crash can leave the new name pointing at empty blocks.
  if (s.ok() && ::fsync(fd) != 0) s = Status::FromErrno("fsync " + tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = Status::FromErrno("close " + tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0) {
    s = Status::FromErrno("rename " + tmp, errno);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  // fsync the directory so the rename itself survives a power loss.
  std::string dir = DirOf(path_);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Status::FromErrno("open dir " + dir, errno);
  if (::fsync(dfd) != 0) s = Status::FromErrno("fsync dir " + dir, errno);
  ::close(dfd);
  return s;
}

}  // namespace ct

#include "testutil/pg_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "testutil/process.h"

namespace ct::test {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The unprivileged user postgres runs as when the test is root (nullptr: run as ourselves).
const passwd* RunAs() {
  if (geteuid() != 0) return nullptr;
  return getpwnam("nobody");
}

// fork + (drop to `user`) + setsid + exec; stdout/stderr appended to `log`.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  const passwd* user = RunAs();
  const uid_t uid = user ? user->pw_uid : 0;
  const gid_t gid = user ? user->pw_gid : 0;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  setsid();  // out of the test's terminal group: a ^C of the test does not reach the server
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int in = open("/dev/null", O_RDONLY);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  if (user != nullptr) {
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
  }
  // libpq and postgres read these; the test's own must not leak in.
  unsetenv("PGDATA");
  unsetenv("PGPORT");
  execv(args[0], args.data());
  _exit(127);
}

int WaitChild(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

PgCluster::PgCluster() {
  data_ = dir_.Join("data");
  port_ = FreeLoopbackPort();
  if (const passwd* user = RunAs()) {
    // The temp dir itself must be writable by the server (its log and socket live there).
    if (chown(dir_.path().c_str(), user->pw_uid, user->pw_gid) != 0) {
      ADD_FAILURE() << "chown " << dir_.path();
      return;
    }
  }
  pid_t init = Spawn({std::string(kBin) + "initdb", "-D", data_, "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-instructions",
                      "--no-sync"},  // only initdb's own final sync; the server fsyncs,
                     dir_.Join("initdb.log"));
  if (WaitChild(init) != 0) {
    ADD_FAILURE() << "initdb failed: " << ReadFile(dir_.Join("initdb.log"));
    return;
  }
  // Loopback TCP only (no socket in /var/run), fsync on (the default, said so), small memory:
  // several clusters may run at once on a small machine.
  std::ofstream conf(data_ + "/postgresql.conf", std::ios::app);
  conf << "listen_addresses = '127.0.0.1'\n"
       << "port = " << port_ << "\n"
       << "unix_socket_directories = ''\n"
       << "fsync = on\n"
       << "shared_buffers = 64MB\n"
       << "max_connections = 60\n"
       << "logging_collector = off\n";
  conf.close();
  Start();  // reports its own failure
}

PgCluster::~PgCluster() {
  if (pid_ > 0) Kill9();
}

std::string PgCluster::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

bool PgCluster::Start() {
  if (pid_ > 0) return true;
  pid_ = Spawn({std::string(kBin) + "postgres", "-D", data_}, dir_.Join("server.log"));
  // Generous: crash recovery replays WAL on a machine shared with other builds.
  if (WaitReady(180'000)) return true;
  Kill9();
  const std::string log = ReadFile(dir_.Join("server.log"));
  ADD_FAILURE() << "postgres did not start; server.log ends with:\n"
                << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  return false;
}

bool PgCluster::WaitReady(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const std::string info = conninfo() + " connect_timeout=2";
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {  // exited at startup (port taken, bad conf)
      pid_ = -1;
      return false;
    }
    if (PQping(info.c_str()) == PQPING_OK) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool PgCluster::WaitExit(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool PgCluster::Stop() {
  if (pid_ <= 0) return true;
  if (paused_) Resume();
  kill(pid_, SIGINT);  // fast shutdown: rolls back open transactions, checkpoints, exits
  if (WaitExit(30'000)) return true;
  Kill9();
  return false;
}

// The postmaster's children (backends, checkpointer, walwriter...), from /proc. Backends call
// setsid() themselves, so a signal to the postmaster's process group does not reach them.
static std::vector<pid_t> Children(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z') out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

// Alive and not a zombie.
static bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

std::vector<pid_t> PgCluster::Processes() const {
  if (pid_ <= 0) return {};
  std::vector<pid_t> out = Children(pid_);
  out.push_back(pid_);
  return out;
}

bool PgCluster::AnyAlive(const std::vector<pid_t>& pids) {
  for (pid_t p : pids) {
    if (Alive(p)) return true;
  }
  return false;
}

void PgCluster::Kill9() {
  if (pid_ <= 0) return;
  // Freeze the postmaster first so it forks no new child while we list them.
  kill(pid_, SIGSTOP);
  const std::vector<pid_t> children = Children(pid_);
  for (pid_t c : children) kill(c, SIGKILL);
  kill(pid_, SIGKILL);
  kill(pid_, SIGCONT);  // a stopped process dies only once continued
  paused_ = false;
  WaitChild(pid_);
  pid_ = -1;
  // The children were reparented when the postmaster died: wait until they are gone, so a
  // restart does not meet them still attached to the old shared memory.
  for (pid_t c : children) {
    kill(c, SIGCONT);
    for (int i = 0; i < 500 && Alive(c); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

void PgCluster::Pause() {
  if (pid_ <= 0) return;
  kill(pid_, SIGSTOP);  // first: no new backend while the others are stopped
  for (pid_t c : Children(pid_)) kill(c, SIGSTOP);
  paused_ = true;
}

void PgCluster::Resume() {
  if (pid_ <= 0) return;
  for (pid_t c : Children(pid_)) kill(c, SIGCONT);
  kill(pid_, SIGCONT);
  paused_ = false;
}

std::string PgCluster::Psql(const std::string& sql, const std::string& dbname) {
  CommandResult r = RunCommand({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                                "-d", conninfo() + " dbname=" + dbname, "-c", sql});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "psql: " << sql << ": " << r.err;
    return "";
  }
  return r.out;
}

}  // namespace ct::test

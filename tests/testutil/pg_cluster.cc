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
#include <fstream>
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
  setsid();  // its own group: Pause/Kill9 reach the backends too
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
  if (!Start()) ADD_FAILURE() << "postgres did not start: " << ReadFile(dir_.Join("server.log"));
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
  if (WaitReady(30'000)) return true;
  Kill9();
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

void PgCluster::Kill9() {
  if (pid_ <= 0) return;
  const pid_t group = pid_;
  kill(-group, SIGKILL);  // the group: postmaster and backends
  kill(-group, SIGCONT);  // a stopped process dies only once continued
  paused_ = false;
  WaitChild(group);
  pid_ = -1;
  // Backends are not our children (they are the postmaster's, reparented to init): wait until
  // the group is empty so a restart does not meet them still holding shared memory.
  for (int i = 0; i < 500 && kill(-group, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void PgCluster::Pause() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGSTOP);
  paused_ = true;
}

void PgCluster::Resume() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGCONT);
  paused_ = false;
}

std::string PgCluster::Psql(const std::string& sql) {
  CommandResult r = RunCommand({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                                "-d", conninfo(), "-c", sql});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "psql: " << sql << ": " << r.err;
    return "";
  }
  return r.out;
}

}  // namespace ct::test

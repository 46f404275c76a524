// PgCluster: a throwaway PostgreSQL 15 server for one test (Debian's postgresql-15 binaries),
// in a temp dir, on a free 127.0.0.1 port. Tests run as root and postgres refuses root, so
// initdb and the server run as the unprivileged user `nobody` (the data dir is chowned to it).
//
// Pause/Resume/Kill9 signal the postmaster it started AND that postmaster's children (found by
// parent pid in /proc: backends call setsid(), so a process-group signal misses them, and a
// SIGSTOP of the postmaster alone leaves the backends answering); never a process found by name.
//
// Thread safety: none; one test thread drives it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "testutil/temp_dir.h"

namespace ct::test {

class PgCluster {
 public:
  // initdb + Start(); failures are gtest fatal failures (check HasFatalFailure after).
  PgCluster();
  ~PgCluster();  // Kill9 if still running: exactly the processes it started
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // "host=127.0.0.1 port=N user=postgres dbname=postgres": a libpq conninfo.
  std::string conninfo() const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }  // the postmaster; -1 when stopped
  bool running() const { return pid_ > 0; }
  // The postmaster and its children right now (tests: none of them may outlive Stop/Kill9).
  std::vector<pid_t> Processes() const;
  static bool AnyAlive(const std::vector<pid_t>& pids);  // zombies count as gone

  // Starts the server on the same data dir and port; returns once it accepts connections.
  bool Start();
  // Clean (fast) shutdown: SIGINT, then waits for the postmaster to exit.
  bool Stop();
  // SIGKILL of the postmaster and its children: the crash a restart must recover from.
  void Kill9();
  // SIGSTOP / SIGCONT of the postmaster and its children: the server keeps its sockets open
  // but answers nothing.
  void Pause();
  void Resume();
  // Runs one SQL string with psql in `dbname`; returns its stdout, unaligned, tuples only (""
  // and a test failure on error).
  std::string Psql(const std::string& sql, const std::string& dbname = "postgres");

 private:
  bool WaitReady(int timeout_ms);
  bool WaitExit(int timeout_ms);

  TempDir dir_;
  std::string data_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace ct::test

// PgCluster: a throwaway PostgreSQL 15 server for one test (Debian's postgresql-15 binaries),
// in a temp dir, on a free 127.0.0.1 port. Tests run as root and postgres refuses root, so
// initdb and the server run as the unprivileged user `nobody` (the data dir is chowned to it).
//
// The server is started in a process group of its own (setsid), so Pause/Resume/Kill9 reach the
// postmaster AND its backends (a SIGSTOP of the postmaster alone leaves the backends answering);
// only that group is ever signalled, never a process found by name.
//
// Thread safety: none; one test thread drives it.
#pragma once

#include <sys/types.h>

#include <string>

#include "testutil/temp_dir.h"

namespace ct::test {

class PgCluster {
 public:
  // initdb + Start(); failures are gtest fatal failures (check HasFatalFailure after).
  PgCluster();
  ~PgCluster();  // Kill9 if still running: exactly the group it started
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // "host=127.0.0.1 port=N user=postgres dbname=postgres": a libpq conninfo.
  std::string conninfo() const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }  // the postmaster; -1 when stopped
  bool running() const { return pid_ > 0; }

  // Starts the server on the same data dir and port; returns once it accepts connections.
  bool Start();
  // Clean (fast) shutdown: SIGINT, then waits for the postmaster to exit.
  bool Stop();
  // SIGKILL of the whole group: the crash a restart must recover from.
  void Kill9();
  // SIGSTOP / SIGCONT of the whole group: the server keeps its sockets open but answers nothing.
  void Pause();
  void Resume();
  // Runs one SQL string with psql; returns its stdout ("" and a test failure on error).
  std::string Psql(const std::string& sql);

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

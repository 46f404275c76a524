// ServerHarness: runs the real `clicktrail serve` binary on 127.0.0.1 with an ephemeral port
// and its own data directory, and stops it by PID. Restartable on the same data (crash tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "testutil/process.h"
#include "testutil/temp_dir.h"

namespace ct::test {

inline const char* ClicktrailBin() { return CLICKTRAIL_BIN; }

class ServerHarness {
 public:
  // `extra_args` are passed to `serve`, e.g. {"--set", "journal.durability=strict"}.
  explicit ServerHarness(std::vector<std::string> extra_args = {});
  // A role of distributed mode: `clicktrail ROLE --config FILE` (edge, tracker, notifier, api),
  // with its own --data dir and --listen port like serve. (A factory: a second constructor would
  // make ServerHarness({"--set", "k=v"}) ambiguous.)
  static std::unique_ptr<ServerHarness> Role(std::string role, std::string config_file,
                                             std::vector<std::string> extra_args = {});
  ~ServerHarness();

  // `clicktrail account create NAME --data DIR`; returns the key ("" on failure).
  std::string CreateAccount(const std::string& name);
  // Starts serve and waits until /readyz answers 200 (false after `timeout`).
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Kill9();
  // SIGTERM, then waits; returns the exit code (-1 on timeout, after which it is SIGKILLed).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool Running() { return proc_ && proc_->Running(); }
  // The `serve` arguments of the next Start() (e.g. a restart with a setting changed).
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }

  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string Log() const { return ReadFile(err_path_); }
  pid_t pid() const { return proc_ ? proc_->pid() : -1; }

 private:
  struct RoleTag {};
  ServerHarness(RoleTag, std::string role, std::string config_file,
                std::vector<std::string> extra_args);

  TempDir dir_;
  std::string command_ = "serve";
  std::string config_file_;  // "": none
  std::string data_dir_;
  std::string err_path_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<Process> proc_;
  uint16_t port_ = 0;
};

}  // namespace ct::test

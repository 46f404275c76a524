// A child process started by a test and stopped by that test, by PID only (never by name).
// stdout and stderr go to files so a test can read what the process said.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ct::test {

class Process {
 public:
  // Starts argv[0] with the given arguments; output to `out_path` / `err_path` (appended).
  Process(std::vector<std::string> argv, std::string out_path, std::string err_path);
  ~Process();  // SIGKILLs the child if it still runs
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // The exit code (or 128 + signal) once the child has exited within `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool Running();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a command to completion (bounded by `timeout`); returns exit code and stdout.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

std::string ReadFile(const std::string& path);

}  // namespace ct::test

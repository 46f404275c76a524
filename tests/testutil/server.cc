#include "testutil/server.h"

#include <signal.h>

#include <thread>

#include "testutil/http_client.h"

namespace ct::test {

ServerHarness::ServerHarness(std::vector<std::string> extra_args)
    : data_dir_(dir_.Join("data")),
      err_path_(dir_.Join("serve.log")),
      extra_args_(std::move(extra_args)) {}

std::unique_ptr<ServerHarness> ServerHarness::Role(std::string role, std::string config_file,
                                                   std::vector<std::string> extra_args) {
  return std::unique_ptr<ServerHarness>(
      new ServerHarness(RoleTag{}, std::move(role), std::move(config_file), std::move(extra_args)));
}

ServerHarness::ServerHarness(RoleTag, std::string role, std::string config_file,
                             std::vector<std::string> extra_args)
    : command_(std::move(role)),
      config_file_(std::move(config_file)),
      data_dir_(dir_.Join("data")),
      err_path_(dir_.Join(command_ + ".log")),
      extra_args_(std::move(extra_args)) {}

ServerHarness::~ServerHarness() {
  if (Running()) Kill9();
}

std::string ServerHarness::CreateAccount(const std::string& name) {
  auto r = RunCommand({ClicktrailBin(), "account", "create", name, "--data", data_dir_});
  if (r.exit_code != 0) return "";
  std::string key = r.out;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

bool ServerHarness::Start(std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {ClicktrailBin(), command_,   "--data",
                                   data_dir_,       "--listen", "127.0.0.1:0"};
  if (!config_file_.empty()) argv.insert(argv.end(), {"--config", config_file_});
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  size_t log_size_before = Log().size();
  proc_ = std::make_unique<Process>(argv, dir_.Join(command_ + ".out"), err_path_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  port_ = 0;
  // The server logs one line per start with its listen address (../shared/API.md).
  constexpr std::string_view kMarker = "listening on 127.0.0.1:";
  while (std::chrono::steady_clock::now() < deadline && proc_->Running()) {
    std::string log = Log().substr(log_size_before);
    size_t at = log.rfind(kMarker);
    if (at != std::string::npos) {
      port_ = static_cast<uint16_t>(std::atoi(log.c_str() + at + kMarker.size()));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (port_ == 0) return false;
  while (std::chrono::steady_clock::now() < deadline && proc_->Running()) {
    HttpClient c(port_, std::chrono::seconds(2));
    if (c.Request("GET", "/readyz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void ServerHarness::Kill9() {
  if (!proc_) return;
  proc_->Signal(SIGKILL);
  proc_->Wait(std::chrono::seconds(10));
}

int ServerHarness::Terminate(std::chrono::milliseconds timeout) {
  if (!proc_) return -1;
  proc_->Signal(SIGTERM);
  auto code = proc_->Wait(timeout);
  if (!code) {
    Kill9();
    return -1;
  }
  return *code;
}

}  // namespace ct::test

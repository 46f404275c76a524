#include "testutil/nats_cluster.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "testutil/http_client.h"

namespace ct::test {
namespace {

// Binds `n` sockets to 127.0.0.1:0 at once (so the ports differ) and returns their ports. The
// sockets are closed before the servers start: a small race with other programs, accepted in
// tests.
std::vector<uint16_t> FreePorts(int n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(fd);
      throw std::runtime_error("bind failed");
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) close(fd);
  return ports;
}

}  // namespace

NatsCluster::NatsCluster(std::chrono::milliseconds timeout) {
  if (access(kBinary, X_OK) != 0) {
    throw std::runtime_error("nats-server not installed (scripts/install-deps.sh)");
  }
  std::vector<uint16_t> ports = FreePorts(3 * kNodes);
  for (int i = 0; i < kNodes; ++i) {
    nodes_[i].client_port = ports[3 * i];
    nodes_[i].cluster_port = ports[3 * i + 1];
    nodes_[i].monitor_port = ports[3 * i + 2];
  }
  for (int i = 0; i < kNodes; ++i) WriteConfig(i);
  StartAll();
  if (!WaitAllHealthy(timeout)) {
    StopAll();
    throw std::runtime_error("the NATS cluster did not become healthy in time (logs in " +
                             dir_.path() + ")");
  }
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < kNodes; ++i) Kill9(i);
}

void NatsCluster::WriteConfig(int i) {
  Node& n = nodes_[i];
  const std::string store = dir_.Join("n" + std::to_string(i));
  std::filesystem::create_directories(store);
  std::string routes;
  for (int j = 0; j < kNodes; ++j) {
    if (j == i) continue;
    if (!routes.empty()) routes += ", ";
    routes += "nats-route://127.0.0.1:" + std::to_string(nodes_[j].cluster_port);
  }
  n.config = dir_.Join("n" + std::to_string(i) + ".conf");
  std::ofstream out(n.config);
  out << "server_name: n" << i << "\n"
      << "listen: 127.0.0.1:" << n.client_port << "\n"
      << "http: 127.0.0.1:" << n.monitor_port << "\n"
      << "jetstream {\n  store_dir: \"" << store << "\"\n  max_memory_store: 64MB\n"
      << "  max_file_store: 2GB\n}\n"
      << "cluster {\n  name: ct\n  listen: 127.0.0.1:" << n.cluster_port << "\n"
      << "  routes: [" << routes << "]\n}\n";
}

std::string NatsCluster::Url(int i) const {
  return "nats://127.0.0.1:" + std::to_string(nodes_[i].client_port);
}

std::string NatsCluster::Servers() const {
  std::string s;
  for (int i = 0; i < kNodes; ++i) s += (i ? "," : "") + Url(i);
  return s;
}

bool NatsCluster::Running(int i) const {
  return nodes_[i].process != nullptr && nodes_[i].process->Running();
}

int NatsCluster::pid(int i) const { return Running(i) ? nodes_[i].process->pid() : 0; }

void NatsCluster::Start(int i) {
  if (Running(i)) return;
  const std::string log = dir_.Join("n" + std::to_string(i) + ".log");
  nodes_[i].process = std::make_unique<Process>(
      std::vector<std::string>{kBinary, "-c", nodes_[i].config}, log, log);
}

void NatsCluster::Kill9(int i) {
  if (!nodes_[i].process) return;
  nodes_[i].process->Signal(SIGKILL);
  nodes_[i].process->Wait(std::chrono::seconds(10));
  nodes_[i].process.reset();
}

void NatsCluster::Stop(int i) {
  if (!nodes_[i].process) return;
  nodes_[i].process->Signal(SIGTERM);
  if (!nodes_[i].process->Wait(std::chrono::seconds(10))) nodes_[i].process->Signal(SIGKILL);
  nodes_[i].process->Wait(std::chrono::seconds(10));
  nodes_[i].process.reset();
}

void NatsCluster::StopAll() {
  for (int i = 0; i < kNodes; ++i) Stop(i);
}

void NatsCluster::StartAll() {
  for (int i = 0; i < kNodes; ++i) Start(i);
}

bool NatsCluster::WaitHealthy(int i, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Running(i)) return false;
    HttpClient client(nodes_[i].monitor_port, std::chrono::seconds(2));
    if (client.Request("GET", "/healthz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool NatsCluster::WaitAllHealthy(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int i = 0; i < kNodes; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !WaitHealthy(i, left)) return false;
  }
  return true;
}

}  // namespace ct::test

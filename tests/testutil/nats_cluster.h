// NatsCluster: a 3-node NATS JetStream cluster for tests, from Debian's nats-server, on free
// 127.0.0.1 ports, each node with its own store dir under a temp dir. Nodes keep their ports
// across restarts (a restarted node rejoins as itself, with its store). Every stop is by the PID
// this object started, never by name; the destructor SIGKILLs whatever of its own still runs.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "testutil/process.h"
#include "testutil/temp_dir.h"

namespace ct::test {

class NatsCluster {
 public:
  static constexpr int kNodes = 3;
  static constexpr const char* kBinary = "/usr/sbin/nats-server";

  // Writes the configs and starts every node; throws std::runtime_error if the cluster is not
  // healthy (JetStream meta leader elected) within `timeout`.
  explicit NatsCluster(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // "nats://127.0.0.1:P1,nats://127.0.0.1:P2,nats://127.0.0.1:P3" (the nats.servers value).
  std::string Servers() const;
  std::string Url(int i) const;
  uint16_t client_port(int i) const { return nodes_[i].client_port; }

  void Kill9(int i);  // SIGKILL: the node loses what it had not fsynced
  void Stop(int i);   // SIGTERM, then SIGKILL if it has not exited within 10 s
  void Start(int i);  // no-op if running
  void StopAll();
  void StartAll();
  bool Running(int i) const;
  // The PID of node i while it runs (0 otherwise), for tests that check nothing is left.
  int pid(int i) const;
  // Waits until node i's /healthz says its JetStream is current (a meta leader is known).
  bool WaitHealthy(int i, std::chrono::milliseconds timeout);
  bool WaitAllHealthy(std::chrono::milliseconds timeout);
  const std::string& dir() const { return dir_.path(); }

 private:
  struct Node {
    uint16_t client_port = 0;
    uint16_t cluster_port = 0;
    uint16_t monitor_port = 0;
    std::string config;
    std::unique_ptr<Process> process;
  };
  void WriteConfig(int i);

  TempDir dir_;
  std::array<Node, kNodes> nodes_;
};

}  // namespace ct::test
